package run.ats.verifier.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The clock, transactions and problem details come from service-support and Spring Boot. */
@Configuration(proxyBeanMethods = false)
class AppConfig {

    @Bean
    OpenAPI openApi() {
        return new OpenAPI().info(new Info().title("ATS KMS verifier").version("v1")
                .description("An append-only Merkle log of KMS releases (RFC 9162 hashing, C2SP signed checkpoints), "
                        + "proofs, and verification of deployed KMS origins against it. Errors are RFC 9457 problem details."));
    }
}
