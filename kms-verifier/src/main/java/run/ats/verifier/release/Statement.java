package run.ats.verifier.release;

import run.ats.verifier.sri.Sri;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a release key signs and the log keeps: a release (its version, the source commit it was
 * built from, and every served file with its SRI value, {@code index.html} included) or the
 * deprecation of one. The JSON shapes are in docs/kms-verifier.md.
 */
public sealed interface Statement permits Statement.Release, Statement.Deprecation {

    int MAX_FILES = 1000;
    String ENTRY_PAGE = "index.html";
    Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
    Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");
    // Paths as served under the origin: no empty, "." or ".." segments, no query, no escapes.
    Pattern PATH = Pattern.compile("(?!.*(^|/)\\.{1,2}(/|$))[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*");

    String version();

    record Release(String type, String version, String sourceCommit, Map<String, String> files) implements Statement {
        public Release {
            requireType(type, "release");
            requireVersion(version);
            if (sourceCommit == null || !COMMIT.matcher(sourceCommit).matches()) {
                throw new InvalidStatementException("sourceCommit is a lowercase hex commit id");
            }
            if (files == null || files.isEmpty() || files.size() > MAX_FILES) {
                throw new InvalidStatementException("files lists 1 to " + MAX_FILES + " files");
            }
            if (!files.containsKey(ENTRY_PAGE)) {
                throw new InvalidStatementException("files must include the entry page " + ENTRY_PAGE);
            }
            files.forEach((path, integrity) -> {
                if (path.length() > 200 || !PATH.matcher(path).matches()) {
                    throw new InvalidStatementException("not a file path under the origin: '" + path + "'");
                }
                if (integrity == null || !Sri.isSingleValue(integrity)) {
                    throw new InvalidStatementException("the integrity of " + path + " is not one sha256/384/512 SRI value");
                }
            });
            files = Map.copyOf(files);
        }
    }

    record Deprecation(String type, String version, String reason) implements Statement {
        public Deprecation {
            requireType(type, "deprecation");
            requireVersion(version);
            if (reason == null || reason.isBlank() || reason.length() > 500) {
                throw new InvalidStatementException("a deprecation gives its reason in 1 to 500 characters");
            }
        }
    }

    private static void requireType(String type, String expected) {
        if (!expected.equals(type)) {
            throw new InvalidStatementException("type must be '" + expected + "'");
        }
    }

    private static void requireVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new InvalidStatementException("version is 1 to 64 of A-Z a-z 0-9 . + _ -, starting with a letter or digit");
        }
    }
}
