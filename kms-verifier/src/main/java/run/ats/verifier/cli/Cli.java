package run.ats.verifier.cli;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import run.ats.verifier.deploy.AddressPolicy;
import run.ats.verifier.deploy.DeploymentCheck;
import run.ats.verifier.deploy.DeploymentCrawler;
import run.ats.verifier.deploy.Report;
import run.ats.verifier.deploy.ReleaseSource;
import run.ats.verifier.deploy.SiteFetcher;
import run.ats.verifier.log.Evidence;
import run.ats.verifier.log.InvalidCheckpointException;
import run.ats.verifier.release.InvalidStatementException;
import run.ats.verifier.release.ReleaseRecord;
import run.ats.verifier.release.SignedStatement;
import run.ats.verifier.release.Statement;
import run.ats.verifier.sri.Sri;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The auditors' verifier, without a server: {@code sri FILE...}, {@code verify-dir DIR} and
 * {@code verify-origin URL}. Whatever it takes from the log (checkpoint, inclusion proof, the
 * release statement) it checks itself against the log key the auditor pinned; the log is
 * trusted for nothing but availability, and for saying whether a release was deprecated.
 */
public final class Cli {

    public static final int MATCH = 0;
    public static final int MISMATCH = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int BAD_EVIDENCE = 4;

    private static final String USAGE_TEXT = """
            usage: java -jar kms-verifier.jar sri FILE...
                   java -jar kms-verifier.jar verify-dir DIR [--log URL] [--log-key KEY] [--json]
                   java -jar kms-verifier.jar verify-origin URL [--log URL] [--log-key KEY] [--json]
                   java -jar kms-verifier.jar release-key KEYFILE
                   java -jar kms-verifier.jar sign-release DIR --version V --commit C --key KEYFILE
                   java -jar kms-verifier.jar sign-deprecation VERSION --reason TEXT --key KEYFILE
              --log      the verifier's base URL (or ATS_VERIFIER_URL; default http://localhost:8084)
              --log-key  the log's verifier key, pinned out of band (or ATS_VERIFIER_LOG_KEY)
            exit codes: 0 match, 1 mismatch, 2 usage or unreadable input, 3 log or origin unreachable,
                        4 the log's evidence does not verify (checkpoint signature, inclusion proof, statement)
            """;
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Cli() {
    }

    public static boolean isCommand(String argument) {
        return Set.of("sri", "verify-dir", "verify-origin", "release-key", "sign-release", "sign-deprecation").contains(argument);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return switch (args[0]) {
                case "sri" -> sri(List.of(args).subList(1, args.length), out, err);
                case "verify-dir" -> verifyDir(Options.parse(args), out, err);
                case "verify-origin" -> verifyOrigin(Options.parse(args), out, err);
                case "release-key" -> releaseKey(args, out);
                case "sign-release" -> signRelease(args, out);
                case "sign-deprecation" -> signDeprecation(args, out);
                default -> usage(err, "unknown command " + args[0]);
            };
        } catch (UsageException e) {
            return usage(err, e.getMessage());
        } catch (InvalidCheckpointException | InvalidStatementException e) {
            err.println("THE LOG'S EVIDENCE DOES NOT VERIFY: " + e.getMessage());
            return BAD_EVIDENCE;
        } catch (Unreachable e) {
            err.println("cannot check: " + e.getMessage());
            return UNREACHABLE;
        } catch (IllegalArgumentException e) {
            // A malformed --log-key, mostly: the input is wrong, not the log.
            return usage(err, e.getMessage());
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println(problem);
        err.print(USAGE_TEXT);
        return USAGE;
    }

    private static int sri(List<String> files, PrintStream out, PrintStream err) {
        if (files.isEmpty()) {
            throw new UsageException("sri needs at least one file");
        }
        for (String file : files) {
            try {
                String value = Sri.of(Files.readAllBytes(Path.of(file)));
                out.println(files.size() == 1 ? value : value + "  " + file);
            } catch (IOException e) {
                err.println("cannot read " + file + ": " + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()));
                return USAGE;
            }
        }
        return MATCH;
    }

    private static int verifyDir(Options options, PrintStream out, PrintStream err) {
        Path dir = Path.of(options.target());
        if (!Files.isDirectory(dir)) {
            throw new UsageException(dir + " is not a directory");
        }
        Map<String, byte[]> files = readTree(dir);
        byte[] entry = files.get(Statement.ENTRY_PAGE);
        if (entry == null) {
            throw new UsageException(dir + " has no " + Statement.ENTRY_PAGE);
        }
        LogClient log = new LogClient(options.log(), options.logKey());
        List<ReleaseSource.Candidate> candidates = log.byEntryPage(entryHashes(entry)).collectList().block();
        String where = dir.toString();
        if (candidates == null || candidates.isEmpty()) {
            out.println("MISMATCH " + where + ": its index.html (" + Sri.of(entry) + ") is in no logged release");
            return MISMATCH;
        }
        ReleaseSource.Candidate chosen = candidates.stream()
                .max(java.util.Comparator.comparing((ReleaseSource.Candidate c) -> !c.release().deprecated())
                        .thenComparingLong(c -> c.release().leafIndex())).orElseThrow();
        ReleaseRecord release = chosen.release();
        List<String> differences = new ArrayList<>();
        release.files().forEach((path, expected) -> {
            byte[] bytes = files.get(path);
            if (bytes == null) {
                differences.add(path + " missing");
            } else if (!Sri.matches(expected, bytes)) {
                differences.add(path + " changed (release " + expected + ", here " + Sri.of(Sri.parse(expected).getFirst().algorithm(), bytes) + ")");
            }
        });
        files.keySet().stream().filter(path -> !release.files().containsKey(path)).forEach(path -> differences.add(path + " unlisted"));
        if (release.deprecated()) {
            differences.add("release " + release.version() + " is deprecated: " + release.deprecatedReason());
        }
        if (options.json()) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("dir", where);
            report.put("verdict", differences.isEmpty() ? "match" : "mismatch");
            report.put("release", release.version());
            report.put("differences", differences);
            report.put("evidence", chosen.evidence());
            out.println(JSON.writeValueAsString(report));
        } else {
            out.println((differences.isEmpty() ? "MATCH " : "MISMATCH ") + where + ": release " + release.version() + " (log entry "
                    + release.leafIndex() + ", checked against a checkpoint of size " + chosen.evidence().treeSize() + ")");
            differences.forEach(difference -> out.println("  " + difference));
        }
        return differences.isEmpty() ? MATCH : MISMATCH;
    }

    private static int verifyOrigin(Options options, PrintStream out, PrintStream err) {
        URI origin;
        try {
            origin = URI.create(options.target());
        } catch (IllegalArgumentException e) {
            throw new UsageException("not a URL: " + options.target());
        }
        if (origin.getHost() == null) {
            throw new UsageException("not a URL with a host: " + options.target());
        }
        LogClient log = new LogClient(options.log(), options.logKey());
        SiteFetcher fetcher = new SiteFetcher(AddressPolicy.anything(), 16L << 20, Duration.ofSeconds(20), 3, Schedulers.boundedElastic());
        DeploymentCheck check = new DeploymentCheck(new DeploymentCrawler(fetcher, 500, Schedulers.boundedElastic()), fetcher, log, Clock.systemUTC());
        Report report = check.verify(origin).block(Duration.ofMinutes(5));
        if (report == null || report.verdict() == Report.Verdict.CANNOT_CHECK) {
            throw new Unreachable(report == null ? "no answer" : String.join("; ", report.problems()));
        }
        if (options.json()) {
            out.println(JSON.writeValueAsString(report));
        } else {
            out.println(report.verdict().name() + " " + report.origin()
                    + (report.release() == null ? "" : ": release " + report.release().version() + " (log entry "
                    + report.release().leafIndex() + ", checked against a checkpoint of size " + report.evidence().treeSize() + ")"));
            report.files().stream().filter(file -> file.verdict() != Report.FileVerdict.MATCH)
                    .forEach(file -> out.println("  " + file.path() + " " + file.verdict().json()
                            + (file.detail() == null ? "" : ": " + file.detail())));
            report.headers().stream().filter(header -> !header.ok())
                    .forEach(header -> out.println("  header " + header.header() + ": " + header.detail()));
            report.problems().forEach(problem -> out.println("  " + problem));
        }
        return report.verdict() == Report.Verdict.MATCH ? MATCH : MISMATCH;
    }

    /** Prints the public key (base64) for ats.verifier.release-keys, making the key file if absent. */
    private static int releaseKey(String[] args, PrintStream out) {
        if (args.length != 2) {
            throw new UsageException("release-key needs the key file");
        }
        try {
            out.println(ReleaseSigning.releaseKey(Path.of(args[1])));
            return MATCH;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new UsageException("cannot make or read " + args[1] + ": " + e.getMessage());
        }
    }

    private static int signRelease(String[] args, PrintStream out) {
        Map<String, String> flags = flags(args, 2, Set.of("--version", "--commit", "--key"));
        try {
            out.println(ReleaseSigning.signRelease(Path.of(args[1]), flags.get("--version"), flags.get("--commit"),
                    ReleaseSigning.privateKey(Path.of(flags.get("--key")))));
            return MATCH;
        } catch (IOException | java.security.GeneralSecurityException | InvalidStatementException e) {
            throw new UsageException("cannot sign: " + e.getMessage());
        }
    }

    private static int signDeprecation(String[] args, PrintStream out) {
        Map<String, String> flags = flags(args, 2, Set.of("--reason", "--key"));
        try {
            out.println(ReleaseSigning.signDeprecation(args[1], flags.get("--reason"),
                    ReleaseSigning.privateKey(Path.of(flags.get("--key")))));
            return MATCH;
        } catch (IOException | java.security.GeneralSecurityException | InvalidStatementException e) {
            throw new UsageException("cannot sign: " + e.getMessage());
        }
    }

    /** {@code --name value} pairs after {@code positional} arguments; every one of {@code required} must be there. */
    private static Map<String, String> flags(String[] args, int positional, Set<String> required) {
        if (args.length < positional || (args.length - positional) % 2 != 0) {
            throw new UsageException(args[0] + ": expected " + (positional - 1) + " argument(s) and then " + required);
        }
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = positional; i < args.length; i += 2) {
            if (!required.contains(args[i])) {
                throw new UsageException(args[0] + ": unknown option " + args[i]);
            }
            flags.put(args[i], args[i + 1]);
        }
        if (!flags.keySet().containsAll(required)) {
            throw new UsageException(args[0] + " needs " + required);
        }
        return flags;
    }

    private static Set<String> entryHashes(byte[] entry) {
        return Set.of(Sri.of(Sri.Algorithm.SHA256, entry), Sri.of(Sri.Algorithm.SHA384, entry), Sri.of(Sri.Algorithm.SHA512, entry));
    }

    private static Map<String, byte[]> readTree(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw new UsageException("cannot read " + dir + ": " + e.getMessage());
        }
        return files;
    }

    /** The log's HTTP API, every answer checked locally against the pinned key before it is used. */
    private static final class LogClient implements ReleaseSource {
        private final URI base;
        private final String logKey;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();

        LogClient(URI base, String logKey) {
            this.base = base;
            this.logKey = logKey;
        }

        @Override
        public Flux<Candidate> byEntryPage(Set<String> integrities) {
            return Flux.fromIterable(integrities)
                    .concatMap(integrity -> Mono.fromCallable(() -> lookup(integrity)).subscribeOn(Schedulers.boundedElastic()))
                    .flatMapIterable(found -> found)
                    .distinct(candidate -> candidate.release().version());
        }

        private List<Candidate> lookup(String integrity) {
            URI uri = base.resolve("/v1/releases?file=" + URLEncoder.encode(integrity, StandardCharsets.UTF_8) + "&path=index.html");
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new Unreachable("the log at " + base + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Unreachable("interrupted");
            }
            if (response.statusCode() != 200) {
                throw new Unreachable("the log at " + base + " answered " + response.statusCode() + " to " + uri);
            }
            List<Candidate> candidates = new ArrayList<>();
            for (JsonNode view : JSON.readTree(response.body()).path("releases")) {
                candidates.add(checked(view));
            }
            return candidates;
        }

        /** The release as the signed statement in the verified log entry says, not as the JSON around it says. */
        private Candidate checked(JsonNode view) {
            Evidence evidence = JSON.treeToValue(view.path("evidence"), Evidence.class);
            evidence.verify(logKey);
            SignedStatement signed = SignedStatement.fromLeafData(Base64.getDecoder().decode(evidence.entry()));
            if (!(signed.parse() instanceof Statement.Release release)) {
                throw new InvalidStatementException("entry " + evidence.leafIndex() + " is not a release");
            }
            JsonNode deprecated = view.path("deprecated");
            boolean isDeprecated = deprecated.isObject();
            return new Candidate(new ReleaseRecord(release.version(), release.sourceCommit(), release.files(), evidence.leafIndex(),
                    isDeprecated ? deprecated.path("leafIndex").asLong() : null,
                    isDeprecated ? deprecated.path("reason").asString() : null), evidence);
        }
    }

    private record Options(String target, URI log, String logKey, boolean json) {
        static Options parse(String[] args) {
            String target = null;
            String log = System.getenv().getOrDefault("ATS_VERIFIER_URL", "http://localhost:8084");
            String key = System.getenv("ATS_VERIFIER_LOG_KEY");
            boolean json = false;
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--log" -> log = value(args, ++i, "--log");
                    case "--log-key" -> key = value(args, ++i, "--log-key");
                    case "--json" -> json = true;
                    default -> {
                        if (target != null || args[i].startsWith("--")) {
                            throw new UsageException("unexpected argument " + args[i]);
                        }
                        target = args[i];
                    }
                }
            }
            if (target == null) {
                throw new UsageException(args[0] + " needs a " + (args[0].equals("verify-dir") ? "directory" : "URL"));
            }
            if (key == null || key.isBlank()) {
                throw new UsageException("pin the log's key with --log-key (or ATS_VERIFIER_LOG_KEY): fetch it once from "
                        + log + "/v1/log/key and compare it with the one the operator publishes");
            }
            try {
                run.ats.verifier.log.Checkpoint.checkVerifierKey(key.trim());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--log-key: " + e.getMessage());
            }
            try {
                return new Options(target, URI.create(log.replaceAll("/+$", "") + "/"), key.trim(), json);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--log is not a URL: " + log);
            }
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }
    }

    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message);
        }
    }

}
