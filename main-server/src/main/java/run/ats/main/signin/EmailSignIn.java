package run.ats.main.signin;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.account.Accounts;
import run.ats.main.mail.Mailer;
import run.ats.main.mail.OutgoingMail;
import run.ats.main.secret.Secrets;
import run.ats.main.session.SessionTokens;
import run.ats.main.session.TokenPair;
import run.ats.main.signin.SignInRejected.Reason;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * Passwordless sign-in by email. {@code start} does the same work for every well-formed address,
 * known or not (it never looks at accounts), so neither its answer nor its timing tells whether
 * an account exists. The newest {@code codes-per-address} flows of an address stay valid at once,
 * so someone asking for codes for another person's address does not end the code that person
 * was mailed. A flow ends exactly once: used, or superseded by newer ones; {@code max-attempts}
 * wrong codes end its code but not its link; expiry is checked at use.
 */
@Component
final class EmailSignIn {

    /** What {@code start} hands back to the browser that asked: the secret for its HttpOnly cookie. */
    record Started(String browserVerifier) {
    }

    private final SignInFlows flows;
    private final Accounts accounts;
    private final SessionTokens sessions;
    private final Mailer mailer;
    private final SecureRandom random;
    private final Clock clock;
    private final MainProperties properties;
    private final MeterRegistry meters;

    EmailSignIn(SignInFlows flows, Accounts accounts, SessionTokens sessions, Mailer mailer, SecureRandom random,
                Clock clock, MainProperties properties, MeterRegistry meters) {
        this.flows = flows;
        this.accounts = accounts;
        this.sessions = sessions;
        this.mailer = mailer;
        this.random = random;
        this.clock = clock;
        this.properties = properties;
        this.meters = meters;
    }

    /** Requires a normalized address (see {@link EmailAddress}). */
    Mono<Started> start(String email) {
        long now = clock.millis();
        UUID id = Secrets.uuid(random);
        String code = SignInCode.generate(random);
        String linkToken = Secrets.random(random, 32);
        String browserVerifier = Secrets.random(random, 32);
        SignInFlow flow = new SignInFlow(id, email, codeHash(id, code), Secrets.sha256(linkToken),
                Secrets.sha256(browserVerifier), 0, now, now + properties.signIn().codeTtl().toMillis(), null);
        return flows.store(flow, properties.signIn().codesPerAddress())
                .then(mailer.send(mail(email, code, linkToken)))
                .doOnSuccess(done -> meters.counter("ats.signin.started").increment())
                .thenReturn(new Started(browserVerifier));
    }

    /** Signs in with the code from any of the address's live mails, typed on any device. */
    Mono<TokenPair> verifyCode(String email, String typedCode) {
        long now = clock.millis();
        String code = SignInCode.normalize(typedCode).orElse(null);
        if (code == null) {
            return Mono.error(new SignInRejected(Reason.MALFORMED_CODE));
        }
        int maxAttempts = properties.signIn().maxAttempts();
        return flows.open(email, properties.signIn().codesPerAddress())
                .collectList()
                .flatMap(open -> {
                    Optional<SignInFlow> matching = open.stream()
                            .filter(flow -> Secrets.sameHash(codeHash(flow.id(), code), flow.codeHash()))
                            .findFirst();
                    if (matching.isPresent() && !matching.get().expiredAt(now) && matching.get().attempts() < maxAttempts) {
                        return complete(matching.get(), now, "code");
                    }
                    Reason reason = matching.map(flow -> flow.expiredAt(now) ? Reason.EXPIRED : Reason.TOO_MANY_ATTEMPTS)
                            .orElse(open.isEmpty() ? Reason.NO_FLOW : Reason.WRONG_CODE);
                    // Every refusal does the same work, one read and one write, whatever the reason.
                    return flows.recordWrongCode(email, now).then(Mono.error(new SignInRejected(reason)));
                });
    }

    /** Signs in with the mail's link, only in the browser whose cookie holds the verifier. */
    Mono<TokenPair> verifyLink(String linkToken, String browserVerifier) {
        long now = clock.millis();
        return flows.byTokenHash(Secrets.sha256(linkToken))
                .filter(SignInFlow::open)
                .switchIfEmpty(Mono.error(() -> new SignInRejected(Reason.LINK_INVALID)))
                .flatMap(flow -> {
                    if (flow.expiredAt(now)) {
                        return Mono.error(new SignInRejected(Reason.LINK_INVALID));
                    }
                    // A scanner or another device gets here without the cookie: refuse, but leave the flow alone.
                    if (browserVerifier == null || !Secrets.sameHash(Secrets.sha256(browserVerifier), flow.browserHash())) {
                        return Mono.error(new SignInRejected(Reason.WRONG_BROWSER));
                    }
                    return complete(flow, now, "link");
                });
    }

    private Mono<TokenPair> complete(SignInFlow flow, long now, String method) {
        return flows.consume(flow.id(), now)
                .flatMap(won -> won
                        ? accounts.findOrCreate(flow.email())
                        : Mono.error(new SignInRejected(flow.expiredAt(now) ? Reason.EXPIRED : Reason.ALREADY_USED)))
                .flatMap(account -> sessions.start(account.id()))
                .doOnSuccess(tokens -> meters.counter("ats.signin.completed", "method", method).increment());
    }

    private OutgoingMail mail(String email, String code, String linkToken) {
        long minutes = properties.signIn().codeTtl().toMinutes();
        String link = properties.issuer() + "/signin#token=" + linkToken;
        String text = """
                Your ATS sign-in code is

                    %s

                or open this link in the browser where you asked to sign in:

                %s

                The code and the link work once, for %d minutes. If you did not ask to sign in, ignore this mail.
                """.formatted(SignInCode.display(code), link, minutes);
        return new OutgoingMail(email, "Your ATS sign-in code", text);
    }

    private static String codeHash(UUID flowId, String code) {
        return Secrets.sha256(flowId + ":" + code);
    }
}
