package run.ats.broker.names;

import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import run.ats.broker.BrokerProperties;
import run.ats.broker.directory.DirectoryWatch;
import run.ats.broker.tunnel.Tunnels;
import run.ats.protocol.relay.RelayNames;

/** Public facts about a relay name: where it is served, and whether its relay is online here. */
@RestController
final class NamesController {

    /** {@code claimed}: a relay holds the name in the directory; {@code online}: its tunnel is up on this broker. */
    record NameInfo(String name, String publicUrl, boolean claimed, boolean online) {
    }

    private final BrokerProperties properties;
    private final DirectoryWatch directory;
    private final Tunnels tunnels;

    NamesController(BrokerProperties properties, DirectoryWatch directory, Tunnels tunnels) {
        this.properties = properties;
        this.directory = directory;
        this.tunnels = tunnels;
    }

    @Operation(summary = "Where a relay name is served, and whether its relay is claimed and online on this broker")
    @GetMapping("/v1/names/{name}")
    NameInfo name(@PathVariable String name) {
        if (!RelayNames.PATTERN.matcher(name).matches() || RelayNames.isReserved(name)) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "A relay name is three lowercase words joined by hyphens, none of them reserved.");
            problem.setTitle("Not a relay name");
            throw new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
        }
        var relay = directory.byName(name);
        return new NameInfo(name, properties.publicUrl(name), relay.isPresent(),
                relay.flatMap(entry -> tunnels.of(entry.relayId())).isPresent());
    }
}
