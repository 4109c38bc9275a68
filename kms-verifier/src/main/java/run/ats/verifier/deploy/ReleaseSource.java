package run.ats.verifier.deploy;

import reactor.core.publisher.Flux;
import run.ats.verifier.log.Evidence;
import run.ats.verifier.release.ReleaseRecord;

import java.util.Set;

/**
 * Where a verification finds the logged releases whose entry page has one of these SRI values:
 * the log's own database in the service, the log's HTTP API in the command-line verifier.
 */
public interface ReleaseSource {

    record Candidate(ReleaseRecord release, Evidence evidence) {
    }

    Flux<Candidate> byEntryPage(Set<String> integrities);
}
