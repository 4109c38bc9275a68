package run.ats.main.mail;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/** Shows the local inbox as a page; exists only when {@code ats.main.mail.local-inbox=true}. */
@Hidden
@RestController
@ConditionalOnProperty(name = "ats.main.mail.local-inbox", havingValue = "true")
final class LocalInboxController {

    private final LocalInbox inbox;

    LocalInboxController(LocalInbox inbox) {
        this.inbox = inbox;
    }

    @GetMapping(path = "/local/inbox", produces = MediaType.TEXT_HTML_VALUE)
    String inbox() {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>ATS local inbox</title>
                <link rel="stylesheet" href="/signin.css"></head><body><main><h1>Local inbox</h1>
                <p>Mail the local main server would have sent, newest first.</p>
                """);
        if (inbox.newestFirst().isEmpty()) {
            html.append("<p>No mail yet.</p>");
        }
        for (LocalInbox.Received received : inbox.newestFirst()) {
            html.append("<article><h2>").append(HtmlUtils.htmlEscape(received.mail().subject())).append("</h2>")
                    .append("<p>To ").append(HtmlUtils.htmlEscape(received.mail().to()))
                    .append(" at ").append(received.at()).append("</p><pre>")
                    .append(HtmlUtils.htmlEscape(received.mail().text())).append("</pre></article>");
        }
        return html.append("</main></body></html>").toString();
    }
}
