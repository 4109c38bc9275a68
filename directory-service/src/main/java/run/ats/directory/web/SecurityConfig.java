package run.ats.directory.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import reactor.core.publisher.Mono;
import run.ats.directory.DirectoryProperties;
import tools.jackson.databind.json.JsonMapper;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Registering a relay takes a service token from the main server (ES256, {@code aud} =
 * {@value #SERVICE_AUDIENCE}, verified against the main server's JWKS); the operator endpoint
 * checks its own token; everything else is public by design (the directory is public data).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    /** The audience of the tokens the main server mints for calling the directory. */
    static final String SERVICE_AUDIENCE = "ats-directory";

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder decoder,
                                                  ServerAuthenticationEntryPoint entryPoint) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers(HttpMethod.POST, "/v1/relays").authenticated()
                        .anyExchange().permitAll())
                .oauth2ResourceServer(server -> server
                        .bearerTokenConverter(serviceTokensOnRegistration())
                        .jwt(jwt -> jwt.jwtDecoder(decoder))
                        .authenticationEntryPoint(entryPoint))
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint))
                .build();
    }

    /** Only registration reads a bearer token as a service JWT: the operator endpoint has its own. */
    private static ServerAuthenticationConverter serviceTokensOnRegistration() {
        ServerBearerTokenAuthenticationConverter bearer = new ServerBearerTokenAuthenticationConverter();
        ServerWebExchangeMatcher registration = ServerWebExchangeMatchers.pathMatchers(HttpMethod.POST, "/v1/relays");
        return exchange -> registration.matches(exchange)
                .flatMap(match -> match.isMatch() ? bearer.convert(exchange) : Mono.empty());
    }

    @Bean
    ReactiveJwtDecoder serviceTokenDecoder(DirectoryProperties properties) {
        String main = properties.mainUrl().toString().replaceAll("/+$", "");
        NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(main + "/.well-known/jwks.json")
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                new JwtTimestampValidator(),
                new JwtClaimValidator<Collection<String>>("aud", aud -> aud != null && aud.contains(SERVICE_AUDIENCE))));
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
            problem.put("detail", "A service token from the main server (Authorization: Bearer) is required.");
            problem.put("instance", exchange.getRequest().getPath().value());
            var response = exchange.getResponse();
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            response.getHeaders().set("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            return response.writeWith(Mono.just(response.bufferFactory().wrap(json.writeValueAsBytes(problem))));
        };
    }

    @Bean
    OpenAPI openApi() {
        return new OpenAPI().info(new Info().title("ATS directory").version("v1")
                .description("Registered relays, their health, signed directory versions and the roots of every tree. "
                        + "Errors are RFC 9457 problem details."));
    }
}
