package run.ats.main.account;

import java.util.UUID;

/** A person who signed in at least once. The email is the only personal datum ATS keeps. */
public record Account(UUID id, String email, long createdMs) {
}
