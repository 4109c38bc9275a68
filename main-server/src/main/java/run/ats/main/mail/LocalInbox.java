package run.ats.main.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The local run's mailbox: keeps the last few mails in memory for {@code /local/inbox}, so a
 * newcomer can sign in with nothing installed. Never enabled by default.
 */
final class LocalInbox implements MailTransport {

    private static final Logger log = LoggerFactory.getLogger(LocalInbox.class);
    private static final int KEPT = 50;

    record Received(Instant at, OutgoingMail mail) {
    }

    private final Deque<Received> mails = new ArrayDeque<>();
    private final String inboxUrl;

    LocalInbox(String inboxUrl) {
        this.inboxUrl = inboxUrl;
    }

    @Override
    public synchronized void sendNow(OutgoingMail mail) {
        mails.addFirst(new Received(Instant.now(), mail));
        while (mails.size() > KEPT) {
            mails.removeLast();
        }
        log.info("A sign-in mail arrived in the local inbox: {}", inboxUrl);
    }

    synchronized List<Received> newestFirst() {
        return List.copyOf(mails);
    }
}
