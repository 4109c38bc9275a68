package run.ats.helm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static run.ats.helm.RenderedChart.containers;
import static run.ats.helm.RenderedChart.labels;
import static run.ats.helm.RenderedChart.list;
import static run.ats.helm.RenderedChart.map;
import static run.ats.helm.RenderedChart.name;
import static run.ats.helm.RenderedChart.podSpec;
import static run.ats.helm.RenderedChart.podTemplate;

/** The properties operators expect of every rendered object, in every values combination. */
class ChartConventionsTest {

    private static final Set<String> STANDARD_LABELS = Set.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
            "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "helm.sh/chart");

    @ParameterizedTest
    @ValueSource(strings = {"minimal-values.yaml", "everything-values.yaml", "external-db-values.yaml"})
    void labelsAndSelectors(String values) throws Exception {
        RenderedChart chart = Helm.template(List.of(values));
        for (Map<String, Object> object : chart.objects()) {
            assertThat(labels(object).keySet()).as(object.get("kind") + " " + name(object)).containsAll(STANDARD_LABELS);
            assertThat(labels(object).get("app.kubernetes.io/instance")).isEqualTo("ats");
        }
        Set<Map<String, Object>> selectors = new HashSet<>();
        for (Map<String, Object> workload : chart.workloads()) {
            Map<String, Object> selector = map(workload, "spec", "selector", "matchLabels");
            // Selectors are immutable: only labels that never change for the life of a release.
            assertThat(selector.keySet()).as(name(workload)).containsExactlyInAnyOrder("app.kubernetes.io/name", "app.kubernetes.io/instance");
            assertThat(labels(podTemplate(workload))).as(name(workload)).containsAllEntriesOf(selector);
            assertThat(selectors.add(selector)).as("each workload selects only its own pods: " + name(workload)).isTrue();
        }
        // Every Service, PDB and NetworkPolicy selects the pods of exactly one workload (or, for the default deny, all of them).
        for (Map<String, Object> service : chart.ofKind("Service")) {
            Map<String, Object> selector = map(service, "spec", "selector");
            assertThat(chart.workloads().stream().filter(w -> labels(podTemplate(w)).entrySet().containsAll(selector.entrySet())))
                    .as("pods behind Service " + name(service)).hasSize(1);
            for (Map<String, Object> port : list(map(service, "spec"), "ports")) {
                Map<String, Object> workload = chart.workloads().stream()
                        .filter(w -> labels(podTemplate(w)).entrySet().containsAll(selector.entrySet())).findFirst().orElseThrow();
                assertThat(containers(workload).stream().flatMap(c -> list(c, "ports").stream()).map(p -> p.get("name")))
                        .as("Service " + name(service) + " targets a named container port").contains(port.get("targetPort"));
            }
        }
        for (Map<String, Object> budget : chart.ofKind("PodDisruptionBudget")) {
            Map<String, Object> selector = map(budget, "spec", "selector", "matchLabels");
            assertThat(chart.workloads().stream().filter(w -> map(w, "spec", "selector", "matchLabels").equals(selector))).hasSize(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal-values.yaml", "everything-values.yaml", "external-db-values.yaml"})
    void podsAreRestrictedProbedAndStopGracefully(String values) throws Exception {
        RenderedChart chart = Helm.template(List.of(values));
        assertThat(chart.workloads()).isNotEmpty();
        for (Map<String, Object> workload : chart.workloads()) {
            String what = name(workload);
            Map<String, Object> pod = podSpec(workload);
            assertThat(pod.get("automountServiceAccountToken")).as(what).isEqualTo(false);
            assertThat(map(pod, "securityContext")).as(what).containsEntry("runAsNonRoot", true)
                    .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
            assertThat((Integer) map(pod, "securityContext").get("runAsUser")).as(what).isPositive();
            assertThat((Integer) pod.get("terminationGracePeriodSeconds")).as(what).isGreaterThan(20 + 5);
            assertThat(list(pod, "volumes").stream().map(v -> v.get("name"))).as(what).contains("tmp");
            for (Map<String, Object> container : containers(workload)) {
                Map<String, Object> security = map(container, "securityContext");
                assertThat(security).as(what).containsEntry("runAsNonRoot", true).containsEntry("readOnlyRootFilesystem", true)
                        .containsEntry("allowPrivilegeEscalation", false).containsEntry("privileged", false)
                        .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
                assertThat(map(security, "capabilities").get("drop")).as(what).isEqualTo(List.of("ALL"));
                assertThat(map(security, "capabilities")).as(what).doesNotContainKey("add");
                // The JVM and Netty need a writable /tmp; nothing else is writable.
                assertThat(list(container, "volumeMounts").stream().map(m -> m.get("mountPath"))).as(what).contains("/tmp");

                assertThat(map(container, "startupProbe", "httpGet")).as(what).containsEntry("path", "/actuator/health/liveness").containsEntry("port", "management");
                assertThat(map(container, "livenessProbe", "httpGet")).as(what).containsEntry("path", "/actuator/health/liveness").containsEntry("port", "management");
                assertThat(map(container, "readinessProbe", "httpGet")).as(what).containsEntry("path", "/actuator/health/readiness").containsEntry("port", "management");
                // The actuator has a port of its own, bound to the pod's addresses (loopback by default outside a cluster).
                assertThat(list(container, "ports")).as(what).anyMatch(p -> "management".equals(p.get("name")));
                assertThat(list(container, "env")).as(what).contains(Map.of("name", "MANAGEMENT_SERVER_ADDRESS", "value", "0.0.0.0"));
                assertThat(map(container, "lifecycle", "preStop", "sleep").get("seconds")).as(what).isEqualTo(5);

                assertThat(map(container, "resources", "requests")).as(what).containsKeys("cpu", "memory");
                assertThat(map(container, "resources", "limits")).as(what).containsKey("memory");
                assertThat((String) container.get("image")).as(what).matches("[a-z0-9.-]+/[a-z0-9./-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})");
            }
            assertThat(map(podTemplate(workload), "metadata", "annotations")).as(what).containsKey("checksum/config");
        }
        assertThat(chart.ofKind("ServiceAccount")).allSatisfy(a -> assertThat(a.get("automountServiceAccountToken")).isEqualTo(false));
    }

    @Test
    void aConfigChangeRollsOnlyThePodsItConcerns() throws Exception {
        RenderedChart before = Helm.template(List.of("everything-values.yaml"));
        RenderedChart after = Helm.template(List.of("everything-values.yaml"), "directory.rootsPerTree=5");
        Map<String, String> was = checksums(before);
        Map<String, String> is = checksums(after);
        assertThat(is.get("ats-directory")).isNotEqualTo(was.get("ats-directory"));
        assertThat(is.get("ats-main")).isEqualTo(was.get("ats-main"));
        assertThat(is.get("ats-relay")).isEqualTo(was.get("ats-relay"));
        assertThat(checksums(Helm.template(List.of("everything-values.yaml"), "main.mail.existingSecret=other")).get("ats-main"))
                .as("a different secret").isNotEqualTo(was.get("ats-main"));
    }

    @Test
    void everySecretCanComeFromAnExistingOneAndTheChartThenMakesNone() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        assertThat(chart.ofKind("Secret")).as("all seven secrets given").isEmpty();
        Set<String> referenced = chart.workloads().stream().flatMap(w -> containers(w).stream())
                .flatMap(c -> list(c, "env").stream()).map(e -> map(e, "valueFrom", "secretKeyRef").get("name"))
                .filter(n -> n != null).map(Object::toString).collect(Collectors.toSet());
        assertThat(referenced).containsExactlyInAnyOrder("ats-smtp", "ats-directory-operator", "ats-directory-key", "ats-broker-peers", "ats-db-app",
                "ats-verifier-db-owner");

        RenderedChart external = Helm.template(List.of("external-db-values.yaml"));
        assertThat(external.ofKind("Cluster")).isEmpty();
        assertThat(external.workloads().stream().flatMap(w -> containers(w).stream()).flatMap(c -> list(c, "env").stream())
                .map(e -> map(e, "valueFrom", "secretKeyRef").get("name")).filter(n -> n != null).distinct())
                .containsExactlyInAnyOrder("ats-db", "ats-directory-key", "ats-broker-peers");
        // The broker's peer token is made once, then kept across upgrades.
        Map<String, Object> made = external.get("Secret", "ats-broker-peers");
        assertThat(map(made, "metadata", "annotations")).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(new String(java.util.Base64.getDecoder().decode((String) map(made, "data").get("token")))).hasSizeGreaterThanOrEqualTo(32);
    }

    @Test
    void theServicesAreWiredToEachOther() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        Map<String, Object> main = map(chart.get("ConfigMap", "ats-main"), "data");
        assertThat(main).containsEntry("ATS_MAIN_PUBLIC_URL", "https://ats.example.com")
                .containsEntry("ATS_MAIN_APP_KMS_ORIGIN", "https://kms.ats.example.com")
                .containsEntry("ATS_MAIN_DIRECTORY_URL", "http://ats-directory:8082")
                .containsEntry("ATS_MAIN_BROKER_URL", "http://ats-broker:8083");
        Map<String, Object> broker = map(chart.get("ConfigMap", "ats-broker"), "data");
        assertThat(broker).containsEntry("ATS_BROKER_DOMAIN", "ats.example.com")
                .containsEntry("ATS_BROKER_ADVERTISED_URL", "wss://{name}.ats.example.com")
                .containsEntry("ATS_BROKER_MAX_CONNECTIONS_PER_ADDRESS", "0")
                // Exactly the proxies the operator named, never every private range.
                .containsEntry("ATS_BROKER_TRUSTED_PROXIES", "10.244.0.0/16,fd00:10:244::/56")
                .containsEntry("ATS_BROKER_PEERS_URLS", "http://ats-broker-peers:8083")
                // What relays dial, in the cluster and from home (NOTES.txt): a proof for any other broker is refused.
                .containsEntry("ATS_BROKER_TUNNEL_URLS", "wss://broker.ats.example.com/v1/tunnel,ws://ats-broker:8443/v1/tunnel");
        assertThat(map(chart.get("Service", "ats-broker-peers"), "spec")).containsEntry("clusterIP", "None");
        Map<String, Object> relay = map(chart.get("ConfigMap", "ats-relay"), "data");
        assertThat(relay).containsEntry("ATS_RELAY_BROKER_URLS", "ws://ats-broker:8443/v1/tunnel")
                .containsEntry("ATS_RELAY_KEY_FILE", "/var/lib/ats-relay/relay.key");
        Map<String, Object> relays = chart.get("StatefulSet", "ats-relay");
        assertThat(list(map(relays, "spec"), "volumeClaimTemplates")).hasSize(1);
        assertThat(map(relays, "spec", "persistentVolumeClaimRetentionPolicy")).containsEntry("whenScaled", "Retain");

        // The ingress: the apex to the main server, kms. to its enclave port, the wildcard to the broker.
        Map<String, Object> ingress = chart.ofKind("Ingress").getFirst();
        Map<String, String> routes = list(map(ingress, "spec"), "rules").stream().collect(Collectors.toMap(r -> (String) r.get("host"),
                r -> {
                    Map<String, Object> backend = map(list(map(r, "http"), "paths").getFirst(), "backend", "service");
                    return backend.get("name") + ":" + map(backend, "port").get("name");
                }));
        assertThat(routes).containsExactlyInAnyOrderEntriesOf(Map.of("ats.example.com", "ats-main:http", "kms.ats.example.com", "ats-main:kms",
                "directory.ats.example.com", "ats-directory:http", "verifier.ats.example.com", "ats-verifier:http",
                "*.ats.example.com", "ats-broker:public"));
        assertThat(routes.values()).as("the ingress never routes to a management port").noneMatch(route -> route.endsWith(":management"));
        assertThat(list(map(ingress, "spec"), "tls").getFirst().get("hosts")).isEqualTo(List.of("ats.example.com", "*.ats.example.com"));
        Map<String, Object> certificate = map(chart.ofKind("Certificate").getFirst(), "spec");
        assertThat(certificate.get("dnsNames")).isEqualTo(List.of("ats.example.com", "*.ats.example.com"));
        assertThat(certificate.get("secretName")).isEqualTo(list(map(ingress, "spec"), "tls").getFirst().get("secretName"));

        // CloudNativePG: one cluster, the main database at bootstrap and the other two declared.
        assertThat(map(chart.get("Cluster", "ats-db"), "spec", "bootstrap", "initdb")).containsEntry("database", "ats").containsEntry("owner", "ats");
        assertThat(chart.ofKind("Database").stream().map(d -> map(d, "spec").get("name"))).containsExactlyInAnyOrder("ats_directory", "ats_verifier");
    }

    /**
     * No service trusts the directory's key on first use: the broker and every relay of the release pin
     * the public key of the very private key the directory signs with, whether the chart made it or the
     * operator gave it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"minimal-values.yaml", "external-db-values.yaml"})
    void theDirectoryKeyTheChartMakesIsPinnedByTheBrokerAndEveryRelay(String values) throws Exception {
        RenderedChart chart = Helm.template(List.of(values), "relays.enabled=true");
        Map<String, Object> secret = chart.get("Secret", "ats-directory-key");
        assertThat(map(secret, "metadata", "annotations")).as("kept across upgrades and uninstalls").containsEntry("helm.sh/resource-policy", "keep");
        String pem = new String(Base64.getDecoder().decode((String) map(secret, "data").get("signing-key.pem")), StandardCharsets.US_ASCII);
        PrivateKey signingKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""))));
        String pinnedByBroker = (String) map(chart.get("ConfigMap", "ats-broker"), "data").get("ATS_BROKER_DIRECTORY_KEY");
        String pinnedByRelays = (String) map(chart.get("ConfigMap", "ats-relay"), "data").get("ATS_RELAY_DIRECTORY_KEY");
        assertThat(pinnedByRelays).isEqualTo(pinnedByBroker);
        assertThat(map(secret, "metadata", "annotations")).containsEntry("ats.run/directory-public-key", pinnedByBroker);
        assertThat(signsFor(signingKey, pinnedByBroker)).as("the pinned key is the signing key's public key").isTrue();
        // The directory signs with that Secret.
        assertThat(directoryEnv(chart)).contains(Map.of("name", "ATS_DIRECTORY_SIGNING_KEY",
                "valueFrom", Map.of("secretKeyRef", Map.of("name", "ats-directory-key", "key", "signing-key.pem"))));
    }

    /**
     * The verifier's log key is a file from a Secret, never in the database: the chart makes it once
     * (kept across upgrades and uninstalls) or mounts the operator's; migrations run as the owner the
     * operator names, the service as the database Secret's role.
     */
    @Test
    void theVerifierSignsWithAMountedKeyAndMigratesAsTheOwner() throws Exception {
        RenderedChart made = Helm.template(List.of("minimal-values.yaml"));
        Map<String, Object> secret = made.get("Secret", "ats-verifier-log-key");
        assertThat(map(secret, "metadata", "annotations")).containsEntry("helm.sh/resource-policy", "keep");
        String pem = new String(Base64.getDecoder().decode((String) map(secret, "data").get("log-key.pem")), StandardCharsets.US_ASCII);
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                .decode(pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", ""))));
        assertThat(map(made.get("ConfigMap", "ats-verifier"), "data")).containsEntry("ATS_VERIFIER_LOG_KEY_FILE", "/etc/ats/verifier/log-key.pem");
        assertThat(verifierVolume(made)).containsEntry("name", "log-key");
        assertThat(map(verifierVolume(made), "secret")).containsEntry("secretName", "ats-verifier-log-key");
        assertThat(list(containers(made.get("Deployment", "ats-verifier")).getFirst(), "volumeMounts"))
                .contains(Map.of("name", "log-key", "mountPath", "/etc/ats/verifier", "readOnly", true));
        assertThat(list(containers(made.get("Deployment", "ats-verifier")).getFirst(), "env").toString()).doesNotContain("SPRING_FLYWAY");

        RenderedChart given = Helm.template(List.of("everything-values.yaml"));
        assertThat(given.has("Secret", "ats-verifier-log-key")).isFalse();
        assertThat(map(verifierVolume(given), "secret")).containsEntry("secretName", "ats-verifier-log-key");
        assertThat(list(containers(given.get("Deployment", "ats-verifier")).getFirst(), "env")).contains(
                Map.of("name", "SPRING_FLYWAY_USER", "valueFrom", Map.of("secretKeyRef", Map.of("name", "ats-verifier-db-owner", "key", "username"))),
                Map.of("name", "SPRING_FLYWAY_PASSWORD", "valueFrom", Map.of("secretKeyRef", Map.of("name", "ats-verifier-db-owner", "key", "password"))));
    }

    private static Map<String, Object> verifierVolume(RenderedChart chart) {
        return list(map(chart.get("Deployment", "ats-verifier"), "spec", "template", "spec"), "volumes").stream()
                .filter(volume -> "log-key".equals(volume.get("name"))).findFirst().orElseThrow();
    }

    @Test
    void anOperatorsDirectoryKeyIsPinnedAsGiven() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        assertThat(chart.has("Secret", "ats-directory-key")).isFalse();
        assertThat(map(chart.get("ConfigMap", "ats-broker"), "data")).containsEntry("ATS_BROKER_DIRECTORY_KEY", "cbOnzIBvZkj81cHlzotWezCFbZ4xkMygdidN2tZyHrY");
        assertThat(map(chart.get("ConfigMap", "ats-relay"), "data")).containsEntry("ATS_RELAY_DIRECTORY_KEY", "cbOnzIBvZkj81cHlzotWezCFbZ4xkMygdidN2tZyHrY");
        assertThat(directoryEnv(chart)).contains(Map.of("name", "ATS_DIRECTORY_SIGNING_KEY",
                "valueFrom", Map.of("secretKeyRef", Map.of("name", "ats-directory-key", "key", "signing-key.pem"))));
    }

    private static List<Map<String, Object>> directoryEnv(RenderedChart chart) {
        return list(containers(chart.get("Deployment", "ats-directory")).getFirst(), "env");
    }

    private static boolean signsFor(PrivateKey key, String rawPublicBase64url) throws Exception {
        byte[] spki = new byte[44];
        System.arraycopy(HexFormat.of().parseHex("302a300506032b6570032100"), 0, spki, 0, 12);
        System.arraycopy(Base64.getUrlDecoder().decode(rawPublicBase64url), 0, spki, 12, 32);
        PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key);
        signer.update("a directory version".getBytes(StandardCharsets.US_ASCII));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey);
        verifier.update("a directory version".getBytes(StandardCharsets.US_ASCII));
        return verifier.verify(signature);
    }

    @Test
    void scalingObjectsTargetWhatExists() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        assertThat(chart.ofKind("HorizontalPodAutoscaler")).hasSize(2);
        for (Map<String, Object> autoscaler : chart.ofKind("HorizontalPodAutoscaler")) {
            Map<String, Object> target = map(autoscaler, "spec", "scaleTargetRef");
            Map<String, Object> deployment = chart.get((String) target.get("kind"), (String) target.get("name"));
            assertThat(map(deployment, "spec")).as("the autoscaler owns the replica count").doesNotContainKey("replicas");
        }
        assertThat(chart.ofKind("PodDisruptionBudget")).hasSize(chart.workloads().size());
        RenderedChart minimal = Helm.template(List.of("minimal-values.yaml"));
        assertThat(minimal.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(minimal.ofKind("PodDisruptionBudget")).isEmpty();
        assertThat(minimal.ofKind("NetworkPolicy")).as("network policies are on by default").isNotEmpty();
        assertThat(minimal.ofKind("ServiceMonitor")).isEmpty();
        assertThat(minimal.ofKind("PrometheusRule")).isEmpty();
        assertThat(minimal.ofKind("StatefulSet")).isEmpty();
    }

    private static Map<String, String> checksums(RenderedChart chart) {
        return chart.workloads().stream().collect(Collectors.toMap(RenderedChart::name,
                w -> (String) map(podTemplate(w), "metadata", "annotations").get("checksum/config")));
    }
}
