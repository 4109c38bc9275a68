package run.ats.main.testsupport;

import com.icegreen.greenmail.base.GreenMailOperations;
import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads sign-in mail as a person would: the code and the link, from the real SMTP server. */
public final class SignInMails {

    private static final Pattern CODE = Pattern.compile("\\b([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})\\b");
    private static final Pattern LINK = Pattern.compile("(https?://\\S+/signin#token=([A-Za-z0-9_-]+))");

    public record SignInMail(String to, String code, String link, String token) {
    }

    private SignInMails() {
    }

    /** The newest mail to {@code address}, waiting up to 5 s for it to arrive. */
    public static SignInMail latestTo(GreenMailOperations smtp, String address) {
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline) {
            List<MimeMessage> mine = Arrays.stream(smtp.getReceivedMessages())
                    .filter(m -> recipients(m).contains(address))
                    .toList();
            if (!mine.isEmpty()) {
                return parse(mine.getLast(), address);
            }
            smtp.waitForIncomingEmail(200, smtp.getReceivedMessages().length + 1);
        }
        throw new AssertionError("no sign-in mail to " + address + " within 5 s");
    }

    /** Every mail to {@code address} so far, oldest first. */
    public static List<SignInMail> allTo(GreenMailOperations smtp, String address) {
        return Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> recipients(m).contains(address))
                .map(m -> parse(m, address))
                .toList();
    }

    public static int countTo(GreenMailOperations smtp, String address) {
        return (int) Arrays.stream(smtp.getReceivedMessages()).filter(m -> recipients(m).contains(address)).count();
    }

    private static SignInMail parse(MimeMessage message, String address) {
        String body = GreenMailUtil.getBody(message).replace("=\r\n", "").replace("=3D", "=");
        Matcher code = CODE.matcher(body);
        Matcher link = LINK.matcher(body);
        if (!code.find() || !link.find()) {
            throw new AssertionError("mail without code or link: " + body);
        }
        return new SignInMail(address, code.group(1), link.group(1), link.group(2));
    }

    private static String recipients(MimeMessage message) {
        try {
            return Arrays.toString(message.getRecipients(Message.RecipientType.TO));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
