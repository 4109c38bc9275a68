package run.ats.verifier.release;

import java.util.Map;

/**
 * A logged release as looked up: its manifest, where it sits in the log, and its deprecation
 * if one was logged ({@code deprecatedIndex} null otherwise).
 */
public record ReleaseRecord(String version, String sourceCommit, Map<String, String> files, long leafIndex,
                            Long deprecatedIndex, String deprecatedReason) {

    public boolean deprecated() {
        return deprecatedIndex != null;
    }
}
