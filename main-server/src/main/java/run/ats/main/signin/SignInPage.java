package run.ats.main.signin;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The relay-claim page: a relay's claim URL opens {@code /relays/claim#code=...}, which signs the
 * operator in (code only) and claims the relay. People's sign-in is the PWA's ({@code run.ats.main.app}).
 */
@Configuration(proxyBeanMethods = false)
class SignInPage {

    @Bean
    RouterFunction<ServerResponse> signInPageRoutes() {
        Resource page = new ClassPathResource("static/signin.html");
        return route()
                .GET("/relays/claim", request -> page(page))
                .build();
    }

    private static reactor.core.publisher.Mono<ServerResponse> page(Resource page) {
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_HTML)
                .cacheControl(CacheControl.noCache())
                .bodyValue(page);
    }
}
