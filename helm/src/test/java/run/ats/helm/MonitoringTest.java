package run.ats.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static run.ats.helm.RenderedChart.labels;
import static run.ats.helm.RenderedChart.list;
import static run.ats.helm.RenderedChart.map;
import static run.ats.helm.RenderedChart.name;

/**
 * The ServiceMonitor scrapes every service, the alerts the issue asks for exist, and every ATS metric
 * an alert or the dashboard reads is one the services register and docs/operations.md describes
 * (a renamed meter would otherwise leave an alert that never fires).
 */
class MonitoringTest {

    private static final Pattern ATS_METRIC = Pattern.compile("\\bats_[a-z_]+");
    private static final Path REPOSITORY = Helm.MODULE.getParent();

    @Test
    void theServiceMonitorScrapesEveryService() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        Map<String, Object> monitor = chart.get("ServiceMonitor", "ats");
        assertThat(labels(monitor)).containsEntry("release", "kube-prometheus-stack");
        Map<String, Object> selector = map(monitor, "spec", "selector", "matchLabels");
        Set<String> scraped = new TreeSet<>();
        for (Map<String, Object> service : chart.ofKind("Service")) {
            if (labels(service).entrySet().containsAll(selector.entrySet())) {
                scraped.add(name(service));
                assertThat(list(map(service, "spec"), "ports")).as(name(service)).anyMatch(p -> "management".equals(p.get("name")));
            }
        }
        // One Service per workload; the headless ones (broker peers, relays' StatefulSet) are not scraped twice.
        assertThat(scraped).containsExactlyInAnyOrder("ats-main", "ats-directory", "ats-broker", "ats-verifier", "ats-relay");
        Map<String, Object> endpoint = list(map(monitor, "spec"), "endpoints").getFirst();
        assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/actuator/prometheus");
    }

    @Test
    void theAlertsCoverRelaysFailoverTheVerifierAndSignIn() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"), "metrics.prometheusRule.failoverStormPerSecond=1");
        Map<String, String> alerts = alerts(chart);
        assertThat(alerts).containsKeys("ATSRelayDown", "ATSFailoverStorm", "ATSVerifierMismatch", "ATSSignInFailures", "ATSServiceDown");
        assertThat(alerts.get("ATSRelayDown")).contains("ats_directory_relays").contains("state=\"silent\"");
        assertThat(alerts.get("ATSFailoverStorm")).contains("ats_relay_tree_moves_total").endsWith("> 1");
        assertThat(alerts.get("ATSVerifierMismatch")).contains("ats_verifier_origin_match").endsWith("== 0");
        assertThat(alerts.get("ATSSignInFailures")).contains("ats_signin_failed_total", "ats_signin_started_total");
        // Scoped to the release's namespace, so two installs in one Prometheus do not page each other.
        alerts.values().forEach(expr -> assertThat(expr).contains("namespace=\"ats\""));
        assertThat(Helm.template(List.of("minimal-values.yaml")).ofKind("PrometheusRule")).isEmpty();
        assertThat(Helm.template(List.of("minimal-values.yaml")).ofKind("ServiceMonitor")).isEmpty();
    }

    @Test
    void theDashboardIsValidJsonScopedToTheNamespace() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        Map<String, Object> configMap = chart.get("ConfigMap", "ats-dashboard");
        assertThat(labels(configMap)).containsEntry("grafana_dashboard", "1");
        JsonNode dashboard = new ObjectMapper().readTree((String) map(configMap, "data").get("ats.json"));
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(10).allSatisfy(e -> assertThat(e).contains("namespace=\"ats\""));
        assertThat(String.join("\n", expressions)).doesNotContain("$NAMESPACE");
    }

    @Test
    void everyMetricTheAlertsAndDashboardReadIsRegisteredAndDocumented() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        Set<String> read = new TreeSet<>();
        alerts(chart).values().forEach(expr -> read.addAll(atsMetrics(expr)));
        read.addAll(atsMetrics((String) map(chart.get("ConfigMap", "ats-dashboard"), "data").get("ats.json")));
        assertThat(read).hasSizeGreaterThanOrEqualTo(10);

        Set<String> registered = registeredMeters();
        String operations = Files.readString(REPOSITORY.resolve("docs/operations.md"));
        for (String series : read) {
            String meter = meterOf(series);
            assertThat(registered).as(series + " comes from a meter named " + meter).contains(meter);
            assertThat(operations).as("docs/operations.md describes " + series).contains(meter.replace('.', '_'));
        }
    }

    private static Map<String, String> alerts(RenderedChart chart) {
        Map<String, String> alerts = new java.util.LinkedHashMap<>();
        for (Map<String, Object> group : list(map(chart.get("PrometheusRule", "ats"), "spec"), "groups")) {
            for (Map<String, Object> rule : list(group, "rules")) {
                alerts.put((String) rule.get("alert"), ((String) rule.get("expr")).strip());
            }
        }
        return alerts;
    }

    private static Set<String> atsMetrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = ATS_METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    /** The Micrometer name behind a Prometheus series: suffixes off, underscores to dots. */
    private static String meterOf(String series) {
        String name = series.replaceFirst("_(bucket|count|sum)$", "").replaceFirst("_(total|seconds)$", "");
        return name.replace('_', '.');
    }

    /** Names given to meters in the services' sources (string literals starting {@code ats.}). */
    private static Set<String> registeredMeters() throws IOException {
        Pattern meter = Pattern.compile("(?:builder|counter|gauge|gaugeMapSize|gaugeCollectionSize|timer|summary)\\(\\s*\"(ats\\.[a-z.]+)\"");
        Set<String> names = new TreeSet<>();
        for (String module : List.of("main-server", "directory-service", "tunnel-broker", "relay-service", "kms-verifier")) {
            try (Stream<Path> files = Files.walk(REPOSITORY.resolve(module).resolve("src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher matcher = meter.matcher(Files.readString(file));
                    while (matcher.find()) {
                        names.add(matcher.group(1));
                    }
                }
            }
        }
        assertThat(names).as("meters found in the sources").hasSizeGreaterThan(20);
        return names;
    }
}
