package run.ats.main.mail;

/** Hands one mail to wherever mail goes. Blocking: {@link Mailer} calls it off the event loop. */
interface MailTransport {
    void sendNow(OutgoingMail mail);
}
