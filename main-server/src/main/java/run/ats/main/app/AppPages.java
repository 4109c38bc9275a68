package run.ats.main.app;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;

import java.time.Duration;
import java.util.Map;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The PWA (module {@code web-pwa}) at {@code /}: the page revalidated on every load, the
 * hash-named assets cached for a year, the service worker never cached by HTTP (browsers check it
 * for updates), and {@code /app-config.json}: where the enclave and the map tiles are. The mail's
 * sign-in link opens {@code /signin#token=...}, the same page.
 */
@Configuration(proxyBeanMethods = false)
class AppPages {

    static final String ROOT = "META-INF/ats/app/";

    @Bean
    RouterFunction<ServerResponse> appRoutes(MainProperties properties) {
        Resource page = new ClassPathResource(ROOT + "index.html");
        Map<String, String> config = Map.of(
                "kmsOrigin", properties.app().kmsOriginText(),
                "tileUrl", properties.app().tileUrl() == null ? "" : properties.app().tileUrl(),
                "tileAttribution", properties.app().tileAttribution() == null ? "" : properties.app().tileAttribution());
        return route()
                .GET("/", request -> fresh(page, MediaType.TEXT_HTML))
                .GET("/index.html", request -> fresh(page, MediaType.TEXT_HTML))
                .GET("/signin", request -> fresh(page, MediaType.TEXT_HTML))
                .GET("/sw.js", request -> fresh(new ClassPathResource(ROOT + "sw.js"), MediaType.valueOf("text/javascript")))
                .GET("/manifest.webmanifest", request -> fresh(new ClassPathResource(ROOT + "manifest.webmanifest"),
                        MediaType.valueOf("application/manifest+json")))
                .GET("/app-config.json", request -> ServerResponse.ok().cacheControl(CacheControl.noCache())
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(config))
                .resources("/assets/**", new ClassPathResource(ROOT + "assets/"),
                        (resource, headers) -> headers.setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable()))
                .resources("/icons/**", new ClassPathResource(ROOT + "icons/"),
                        (resource, headers) -> headers.setCacheControl(CacheControl.maxAge(Duration.ofDays(1)).cachePublic()))
                .build();
    }

    private static Mono<ServerResponse> fresh(Resource resource, MediaType type) {
        return ServerResponse.ok().contentType(type).cacheControl(CacheControl.noCache()).bodyValue(resource);
    }
}
