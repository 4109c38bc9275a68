package run.ats.main.mail;

/** One plain-text mail. {@code toString} leaves the address and body out, so logging it leaks nothing. */
public record OutgoingMail(String to, String subject, String text) {
    @Override
    public String toString() {
        return "OutgoingMail[subject=" + subject + "]";
    }
}
