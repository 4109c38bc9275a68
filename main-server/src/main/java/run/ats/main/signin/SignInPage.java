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
 * The minimal sign-in and relay-claim page (until the PWA takes over {@code /}); a relay's claim
 * URL opens {@code /relays/claim#code=...}. The mail's link opens
 * {@code /signin#token=...}: the token sits in the fragment, so fetching the page consumes and
 * reveals nothing; the page's script posts it.
 */
@Configuration(proxyBeanMethods = false)
class SignInPage {

    @Bean
    RouterFunction<ServerResponse> signInPageRoutes() {
        Resource page = new ClassPathResource("static/signin.html");
        return route()
                .GET("/", request -> page(page))
                .GET("/signin", request -> page(page))
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
