package run.ats.helm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lint (strict), render and schema-check the chart with every values file CI knows. */
class ChartValidationTest {

    static final List<String> VALUES_FILES = List.of("minimal-values.yaml", "everything-values.yaml", "external-db-values.yaml");

    @Test
    void theHelmBinaryIsThePinnedOne() throws Exception {
        Helm.Result version = Helm.run(List.of("version", "--short"));
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith(Helm.VERSION);
    }

    @Test
    void everyValuesFileUnderCiIsChecked() throws Exception {
        try (var files = Files.list(Helm.CI_VALUES)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(VALUES_FILES);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal-values.yaml", "everything-values.yaml", "external-db-values.yaml"})
    void lintsStrictly(String values) throws Exception {
        Helm.Result lint = Helm.run(List.of("lint", "--strict", Helm.CHART.toString(), "--kube-version", Helm.KUBE_VERSION,
                "--values", Helm.CI_VALUES.resolve(values).toString()));
        assertThat(lint.exitCode()).as(lint.out() + lint.err()).isZero();
        assertThat(lint.out()).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal-values.yaml", "everything-values.yaml", "external-db-values.yaml"})
    void everyRenderedObjectMatchesItsSchema(String values) throws Exception {
        RenderedChart chart = Helm.template(List.of(values));
        assertThat(chart.objects()).hasSizeGreaterThan(15);
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> object : chart.objects()) {
            try {
                KubernetesSchemas.validate(object);
            } catch (AssertionError e) {
                problems.add(e.getMessage());
            }
        }
        assertThat(problems).isEmpty();
        assertThat(chart.objects()).allSatisfy(o -> assertThat(RenderedChart.map(o, "metadata").get("namespace"))
                .as(o.get("kind") + " " + RenderedChart.name(o)).isEqualTo("ats"));
    }

    @Test
    void theValidatorsRefuseWhatAClusterWould() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        Map<String, Object> deployment = copy(chart.get("Deployment", "ats-main"));
        RenderedChart.containers(deployment).getFirst().put("livenesProbe", Map.of());
        assertThatThrownBy(() -> KubernetesSchemas.validate(deployment)).hasMessageContaining("livenesProbe");

        Map<String, Object> certificate = copy(chart.get("Certificate", "ats"));
        RenderedChart.map(certificate, "spec").put("dnsName", List.of("x"));
        assertThatThrownBy(() -> KubernetesSchemas.validate(certificate)).hasMessageContaining("dnsName");

        Map<String, Object> cluster = copy(chart.get("Cluster", "ats-db"));
        RenderedChart.map(cluster, "spec").put("instances", "two");
        assertThatThrownBy(() -> KubernetesSchemas.validate(cluster)).hasMessageContaining("instances");
    }

    @Test
    void aMisspelledKeyFailsTheInstall() throws Exception {
        Helm.Result result = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "main.replicaCont=2"));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).contains("at '/main': additional properties 'replicaCont' not allowed");

        Helm.Result nested = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "networkPolicy.enable=true"));
        assertThat(nested.exitCode()).isNotZero();
        assertThat(nested.err()).contains("at '/networkPolicy': additional properties 'enable' not allowed");
    }

    @Test
    void missingRequiredSettingsAreNamed() throws Exception {
        Helm.Result noDomain = Helm.run(List.of("template", "ats", Helm.CHART.toString(), "--set", "main.mail.host=smtp.example.com",
                "--set", "certificate.issuerRef.name=x"));
        assertThat(noDomain.exitCode()).isNotZero();
        assertThat(noDomain.err()).contains("domain");

        Helm.Result noMail = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "main.mail.host="));
        assertThat(noMail.exitCode()).isNotZero();
        assertThat(noMail.err()).contains("main.mail.host is required");

        Helm.Result noIssuer = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "certificate.issuerRef.name="));
        assertThat(noIssuer.exitCode()).isNotZero();
        assertThat(noIssuer.err()).contains("DNS-01");

        Helm.Result noDatabaseSecret = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "postgresql.mode=external",
                "postgresql.external.host=db.example.com"));
        assertThat(noDatabaseSecret.exitCode()).isNotZero();
        assertThat(noDatabaseSecret.err()).contains("postgresql.external.existingSecret is required");

        // No default for whose X-Forwarded-For the broker believes: the operator names the ingress controller's pods, or [] for no one.
        Helm.Result noProxies = Helm.run(List.of("template", "ats", Helm.CHART.toString(), "--set", "domain=ats.example.com",
                "--set", "main.mail.host=smtp.example.com", "--set", "certificate.issuerRef.name=x"));
        assertThat(noProxies.exitCode()).isNotZero();
        assertThat(noProxies.err()).contains("at '/broker': missing property 'trustedProxies'");

        // An operator's directory key Secret needs its public key, which relays and the broker pin.
        Helm.Result noPublicKey = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "directory.signingKey.existingSecret=my-key"));
        assertThat(noPublicKey.exitCode()).isNotZero();
        assertThat(noPublicKey.err()).contains("/directory/signingKey/publicKey");
        Helm.Result notAKey = Helm.run(Helm.templateArgs(List.of("minimal-values.yaml"), "directory.signingKey.existingSecret=my-key",
                "directory.signingKey.publicKey=MCowBQYDK2VwAyEAZmFrZWtleWZha2VrZXlmYWtla2U="));
        assertThat(notAKey.exitCode()).as("an X.509 key is not the raw base64url key relays take").isNotZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> object) {
        return (Map<String, Object>) deepCopy(object);
    }

    private static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return value;
    }

    @Test
    void theNotesTellTheOperatorHowToClaimTheFirstRelay() throws Exception {
        String inCluster = notes("relays.enabled=true");
        assertThat(inCluster)
                .contains("kubectl -n ats logs ats-relay-0 | grep 'claim code'")
                .contains("https://ats.example.com/relays/claim#code=CODE")
                .contains("-d '{\"claimCode\":\"CODE\"}' https://ats.example.com/v1/relays/claim")
                .contains("kubectl -n ats rollout status deployment/ats-main")
                .containsPattern("The directory's public key, pinned on the broker and this release's relays: [A-Za-z0-9_-]{43}\n");
        String atHome = notes("relays.enabled=false");
        assertThat(atHome).doesNotContain("ats-relay-0")
                .contains("--ats.relay.broker-urls=wss://broker.ats.example.com/v1/tunnel")
                .contains("--ats.relay.main-url=https://ats.example.com")
                .containsPattern("--ats.relay.directory-key=[A-Za-z0-9_-]{43} ");
    }

    /** What {@code helm install} prints after installing (a client-side dry run: no cluster). */
    private static String notes(String set) throws Exception {
        List<String> args = new ArrayList<>(List.of("install", "ats", Helm.CHART.toString(), "--dry-run=client", "--namespace", "ats",
                "--values", Helm.CI_VALUES.resolve("minimal-values.yaml").toString(), "--set", set));
        Helm.Result result = Helm.run(args);
        assertThat(result.exitCode()).as(result.err()).isZero();
        int at = result.out().indexOf("NOTES:");
        assertThat(at).as("helm install prints the chart's notes").isNotNegative();
        return result.out().substring(at);
    }
}
