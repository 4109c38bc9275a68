package run.ats.support.web;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * Every service's HTTP API answers errors as the same RFC 9457 problem details. Before WebFlux's
 * own configuration, whose generic handler steps aside when one exists.
 */
@AutoConfiguration(before = WebFluxAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@Import(ApiExceptionHandler.class)
public class ProblemsAutoConfiguration {
}
