package run.ats.verifier.log;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Gathers {@link Evidence} for entries, all against one head of the log. */
@Component
public final class Evidences {

    private final TransparencyLog log;
    private final Checkpoints checkpoints;

    Evidences(TransparencyLog log, Checkpoints checkpoints) {
        this.log = log;
        this.checkpoints = checkpoints;
    }

    public Mono<Evidence> of(long leafIndex) {
        return log.head().flatMap(head -> of(leafIndex, head));
    }

    public Mono<Evidence> of(long leafIndex, TransparencyLog.Head head) {
        return Mono.zip(log.entry(leafIndex), log.inclusionProof(leafIndex, head.size()), checkpoints.sign(head))
                .map(found -> Evidence.of(leafIndex, head.size(), found.getT1(), found.getT2(), found.getT3()));
    }
}
