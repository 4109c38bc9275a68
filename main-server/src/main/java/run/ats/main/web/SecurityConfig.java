package run.ats.main.web;

import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import run.ats.main.MainProperties;
import run.ats.main.keys.SigningKeys;
import run.ats.main.session.SessionTokens;
import tools.jackson.databind.json.JsonMapper;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stateless bearer-token security: {@code /v1/me}, {@code /v1/relay-tokens}, claiming a relay
 * and listing one's relays need a signed-in caller; everything else is public by design (sign-in itself, JWKS, probes).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class SecurityConfig {

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder decoder,
                                                  ServerAuthenticationEntryPoint entryPoint, MainProperties properties) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/v1/me", "/v1/relay-tokens", "/v1/relays/claim").authenticated()
                        .pathMatchers(org.springframework.http.HttpMethod.GET, "/v1/relays").authenticated()
                        .anyExchange().permitAll())
                .oauth2ResourceServer(server -> server
                        .jwt(jwt -> jwt.jwtDecoder(decoder))
                        .authenticationEntryPoint(entryPoint))
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(contentSecurityPolicy(properties))))
                .build();
    }

    /**
     * The PWA's policy: its own scripts only; WebSockets to relays (anyone's, so any ws/wss host);
     * the enclave's origin as the one frame; map tiles from the configured tile host; no one frames the app.
     */
    static String contentSecurityPolicy(MainProperties properties) {
        String tiles = "";
        String tileUrl = properties.app().tileUrl();
        if (tileUrl != null && !tileUrl.isBlank()) {
            java.net.URI tile = java.net.URI.create(tileUrl.replaceAll("[{}]", ""));
            tiles = " " + tile.getScheme() + "://" + tile.getAuthority().replaceFirst("^[a-z](?=\\.)", "*");
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" + tiles
                + "; connect-src 'self' ws: wss:; frame-src " + properties.app().kmsOriginText()
                + "; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    }

    /**
     * Access tokens: ES256 only (the key decides, never the token's {@code alg}), a {@code kid}
     * we published, our issuer, {@code aud=ats-main}, unexpired.
     */
    @Bean
    ReactiveJwtDecoder accessTokenDecoder(SigningKeys keys, MainProperties properties) {
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder
                .withJwkSource(jwt -> {
                    String kid = jwt.getHeader().getKeyID();
                    return kid == null ? Flux.empty() : keys.verificationKey(kid).flux();
                })
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                JwtValidators.createDefaultWithIssuer(properties.issuer()),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(SessionTokens.AUDIENCE))));
        return decoder;
    }

    /** 401 as RFC 9457 problem details, with the RFC 6750 challenge. */
    @Bean
    ServerAuthenticationEntryPoint problemEntryPoint(JsonMapper json) {
        return (exchange, failure) -> {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "https://ats.run/problems/unauthorized");
            problem.put("title", "Unauthorized");
            problem.put("status", HttpStatus.UNAUTHORIZED.value());
            problem.put("detail", "A valid access token (Authorization: Bearer) is required.");
            problem.put("instance", exchange.getRequest().getPath().value());
            byte[] body = json.writeValueAsBytes(problem);
            var response = exchange.getResponse();
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            response.getHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
        };
    }

    @Bean
    OpenAPI openApi() {
        return new OpenAPI()
                .info(new Info().title("ATS main server").version("v1")
                        .description("Email sign-in, accounts, relay-access tokens and the relay provisioning API. Errors are RFC 9457 problem details."))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")));
    }
}
