package run.ats.main.mail;

/** A mail that could not be handed over; {@code outcome} says why (a metric tag). */
public final class MailNotSent extends RuntimeException {
    public MailNotSent(String outcome) {
        super("mail not sent: " + outcome, null, false, false);
    }
}
