package run.ats.directory.operator;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import run.ats.directory.DirectoryProperties;
import run.ats.directory.versions.Versions;
import run.ats.support.web.ApiProblem;
import run.ats.protocol.directory.Directory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The operator's one knob: N, the roots per tree, changed at run time; the next version carries
 * it. Guarded by a bearer token whose SHA-256 is configured ({@code ats.directory.operator-token-hash});
 * without one the endpoint answers 404.
 */
@RestController
final class OperatorController {

    record RootsPerTree(@Min(1) @Max(Directory.MAX_ROOTS_PER_TREE) int rootsPerTree) {
    }

    private final Versions versions;
    private final byte[] tokenHash;

    OperatorController(Versions versions, DirectoryProperties properties) {
        this.versions = versions;
        this.tokenHash = properties.operatorTokenHash() == null || properties.operatorTokenHash().isBlank()
                ? null : HexFormat.of().parseHex(properties.operatorTokenHash().strip());
    }

    @Operation(summary = "Set N, the roots per tree (operator token)")
    @PutMapping("/v1/operator/roots-per-tree")
    Mono<ResponseEntity<RootsPerTree>> setRootsPerTree(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                                       @Valid @RequestBody RootsPerTree body) {
        if (tokenHash == null) {
            return Mono.error(ApiProblem.of(HttpStatus.NOT_FOUND, "not-enabled", "Not enabled",
                    "No operator token is configured (ats.directory.operator-token-hash)."));
        }
        if (authorization == null || !authorization.startsWith("Bearer ")
                || !MessageDigest.isEqual(tokenHash, sha256(authorization.substring("Bearer ".length()).strip()))) {
            return Mono.error(ApiProblem.of(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                    "The operator token (Authorization: Bearer) is missing or wrong."));
        }
        return versions.setRootsPerTree(body.rootsPerTree())
                .thenReturn(ResponseEntity.accepted().body(body));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
