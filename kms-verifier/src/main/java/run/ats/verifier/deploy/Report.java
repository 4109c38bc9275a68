package run.ats.verifier.deploy;

import com.fasterxml.jackson.annotation.JsonValue;
import run.ats.verifier.log.Evidence;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The answer to "is this origin serving a logged release?", file by file, with the evidence
 * (checkpoint and inclusion proof) it relied on. {@code release} and {@code evidence} are null
 * when no logged release matches the entry page.
 */
public record Report(String origin, Verdict verdict, Instant checkedAt, ReleaseRef release, List<FileCheck> files,
                     List<HeaderCheck> headers, List<String> problems, Evidence evidence) {

    public enum Verdict {
        /** Every served file is the release's, the release is not deprecated, the headers hold. */
        MATCH,
        /** Something served differs from every logged, live release. */
        MISMATCH,
        /**
         * The deployment could not be checked: unreachable, refused, malformed, too slow, too big, or any
         * other failure. The monitor's gauge says -1 and the cannot-check alert fires; never a silent pass.
         */
        CANNOT_CHECK;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public enum FileVerdict {
        MATCH, CHANGED, MISSING, UNLISTED, INTEGRITY_MISMATCH;

        @JsonValue
        public String json() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public record ReleaseRef(String version, String sourceCommit, long leafIndex, boolean deprecated, String deprecationReason) {
    }

    /** {@code expected} is the release's SRI value, {@code served} the served file's (same algorithm). */
    public record FileCheck(String path, FileVerdict verdict, String expected, String served, String detail) {
    }

    public record HeaderCheck(String header, boolean ok, String detail) {
    }

    public static Report cannotCheck(String origin, Instant at, String problem) {
        return new Report(origin, Verdict.CANNOT_CHECK, at, null, List.of(), List.of(), List.of(problem), null);
    }
}
