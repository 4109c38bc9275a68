package run.ats.main.mail;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;
import run.ats.main.MainProperties;

@Configuration(proxyBeanMethods = false)
class MailConfig {

    @Bean
    @ConditionalOnProperty(name = "ats.main.mail.local-inbox", havingValue = "true")
    LocalInbox localInbox(MainProperties properties) {
        return new LocalInbox(properties.issuer() + "/local/inbox");
    }

    /** SMTP unless the local inbox is switched on; without {@code spring.mail.host} the server refuses to start. */
    @Bean
    @ConditionalOnProperty(name = "ats.main.mail.local-inbox", havingValue = "false", matchIfMissing = true)
    SmtpTransport smtpTransport(MainProperties properties, ObjectProvider<JavaMailSender> smtp) {
        JavaMailSender sender = smtp.getIfAvailable();
        if (sender == null) {
            throw new IllegalStateException("No SMTP server configured: set spring.mail.host (and spring.mail.port), "
                    + "or ats.main.mail.local-inbox=true for a local run");
        }
        return new SmtpTransport(sender, properties.mail().from());
    }
}
