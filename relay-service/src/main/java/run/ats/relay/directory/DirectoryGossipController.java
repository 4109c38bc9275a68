package run.ats.relay.directory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/directory}: the signed version this relay holds, so that peers can take a newer
 * one from it when the directory is away (they check the signature; this relay is not trusted).
 */
@RestController
final class DirectoryGossipController {

    private final DirectoryHolder holder;

    DirectoryGossipController(DirectoryHolder holder) {
        this.holder = holder;
    }

    @GetMapping(path = "/v1/directory", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> directory() {
        return holder.newest()
                .map(signed -> ResponseEntity.ok(signed.toJson()))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                        .body("{\"type\":\"https://ats.run/problems/no-directory\",\"title\":\"No directory version\","
                                + "\"status\":404,\"detail\":\"This relay holds no directory version yet.\"}"));
    }
}
