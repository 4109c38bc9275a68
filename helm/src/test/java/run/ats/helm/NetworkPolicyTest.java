package run.ats.helm;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static run.ats.helm.RenderedChart.containers;
import static run.ats.helm.RenderedChart.labels;
import static run.ats.helm.RenderedChart.list;
import static run.ats.helm.RenderedChart.map;
import static run.ats.helm.RenderedChart.name;
import static run.ats.helm.RenderedChart.podTemplate;

/**
 * Evaluates the rendered NetworkPolicies the way Kubernetes does (a pod selected by no policy of a
 * type is open in that direction; otherwise a connection needs an egress rule of the source and an
 * ingress rule of the destination) over the release's pods and the things around them, and
 * compares every allowed connection with the flows the services need (docs/operations.md).
 */
class NetworkPolicyTest {

    private static final String NAMESPACE = "ats";

    /** A pod or an address a connection can come from or go to. */
    record Endpoint(String name, String namespace, Map<String, Object> labels, String ip, Map<String, Integer> namedPorts) {
        boolean isPod() {
            return namespace != null;
        }
    }

    record Port(String protocol, int number) {
        @Override
        public String toString() {
            return protocol.toLowerCase() + "/" + number;
        }
    }

    private static final Endpoint INGRESS = pod("ingress-controller", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), "10.244.9.1");
    private static final Endpoint PROMETHEUS = pod("prometheus", "monitoring", Map.of("app.kubernetes.io/name", "prometheus"), "10.244.9.2");
    private static final Endpoint DNS = pod("dns", "kube-system", Map.of("k8s-app", "kube-dns"), "10.244.9.3");
    private static final Endpoint CNPG = pod("db", NAMESPACE, Map.of("cnpg.io/cluster", "ats-db"), "10.244.9.4");
    /** Some other workload in the release's namespace, and one in another namespace: they reach nothing and nothing reaches them. */
    private static final Endpoint NEIGHBOUR = pod("neighbour", NAMESPACE, Map.of("app", "neighbour"), "10.244.9.5");
    private static final Endpoint STRANGER = pod("stranger", "elsewhere", Map.of("app", "stranger"), "10.244.9.6");
    private static final Endpoint SMTP = address("smtp", "203.0.113.25");
    private static final Endpoint EXTERNAL_DB = address("db", "198.51.100.10");
    private static final Endpoint INTERNET = address("internet", "93.184.216.34");
    /** An address in a private range that is not the database: the internet rules must not reach it. */
    private static final Endpoint PRIVATE_HOST = address("private-host", "192.168.1.20");

    private static final List<Port> PORTS = List.of(tcp(25), tcp(53), tcp(443), tcp(465), tcp(587), tcp(5432), tcp(8080),
            tcp(8081), tcp(8082), tcp(8083), tcp(8084), tcp(8085), tcp(8443), tcp(9080), tcp(9081), tcp(9082), tcp(9083), tcp(9084),
            new Port("UDP", 53));

    @Test
    void everythingOnAllowsExactlyTheFlowsTheServicesNeed() throws Exception {
        RenderedChart chart = Helm.template(List.of("everything-values.yaml"));
        Set<String> expected = new TreeSet<>(common("db", "tcp/5432", "smtp", "tcp/587"));
        expected.addAll(verifierFlows("db", "tcp/5432"));
        expected.addAll(relayFlows());
        assertThat(allowed(chart, List.of(CNPG, SMTP))).containsExactlyElementsOf(expected);
    }

    @Test
    void anExternalDatabaseIsReachedOnlyAtItsAddress() throws Exception {
        RenderedChart chart = Helm.template(List.of("external-db-values.yaml"));
        Set<String> expected = new TreeSet<>(common("db", "tcp/5432", "*", "tcp/465"));
        expected.addAll(relayFlows());
        // The database's address here is a public one, so it is part of the internet the relays reach on 443.
        expected.add("relay -> db tcp/443");
        assertThat(allowed(chart, List.of(EXTERNAL_DB, SMTP))).containsExactlyElementsOf(expected);
    }

    @Test
    void withoutRelaysOrSmtpAddressesTheirRulesGoAway() throws Exception {
        RenderedChart chart = Helm.template(List.of("minimal-values.yaml"));
        Set<String> expected = new TreeSet<>(common("db", "tcp/5432", "*", "tcp/587"));
        expected.addAll(verifierFlows("db", "tcp/5432"));
        assertThat(allowed(chart, List.of(CNPG, SMTP))).containsExactlyElementsOf(expected);
    }

    @Test
    void onByDefaultAndOffOnlyWhenAskedTo() throws Exception {
        assertThat(Helm.template(List.of("minimal-values.yaml")).ofKind("NetworkPolicy")).isNotEmpty();
        assertThat(Helm.template(List.of("minimal-values.yaml"), "networkPolicy.enabled=false").ofKind("NetworkPolicy")).isEmpty();
    }

    /**
     * The flows of main, directory and broker. {@code smtp} "*" means no smtpCidrs were given: then the
     * main server may reach the SMTP port anywhere outside the release (as documented in values.yaml).
     */
    private static List<String> common(String db, String dbPort, String smtp, String smtpPort) {
        List<String> flows = new ArrayList<>(List.of(
                "ingress-controller -> main tcp/8080", "ingress-controller -> main tcp/8085",
                "ingress-controller -> directory tcp/8082", "ingress-controller -> broker tcp/8443",
                // Prometheus reaches only the management ports, nobody else does.
                "prometheus -> main tcp/9080", "prometheus -> directory tcp/9082", "prometheus -> broker tcp/9083",
                "main -> " + db + " " + dbPort, "main -> directory tcp/8082", "main -> broker tcp/8083",
                "directory -> " + db + " " + dbPort, "directory -> main tcp/8080",
                "broker -> directory tcp/8082", "broker -> broker tcp/8083", "broker -> broker tcp/8443"));
        if (smtp.equals("*")) {
            for (String outside : List.of("ingress-controller", "prometheus", "dns", "db", "neighbour", "stranger", "smtp",
                    "internet", "private-host")) {
                flows.add("main -> " + outside + " " + smtpPort);
            }
        } else {
            flows.add("main -> " + smtp + " " + smtpPort);
        }
        return flows;
    }

    private static List<String> verifierFlows(String db, String dbPort) {
        return List.of("ingress-controller -> verifier tcp/8084", "prometheus -> verifier tcp/9084",
                "verifier -> " + db + " " + dbPort, "verifier -> internet tcp/443", "verifier -> smtp tcp/443");
    }

    private static List<String> relayFlows() {
        return List.of("prometheus -> relay tcp/9081", "relay -> main tcp/8080", "relay -> directory tcp/8082",
                "relay -> broker tcp/8443", "relay -> internet tcp/443", "relay -> smtp tcp/443");
    }

    /** Every allowed connection that involves a pod of the release, except cluster DNS (checked separately). */
    private static Set<String> allowed(RenderedChart chart, List<Endpoint> outside) {
        List<Endpoint> release = new ArrayList<>();
        int n = 1;
        for (Map<String, Object> workload : chart.workloads()) {
            release.add(releasePod(workload, "10.244.0." + n++));
        }
        List<Endpoint> all = new ArrayList<>(release);
        all.addAll(List.of(INGRESS, PROMETHEUS, DNS, NEIGHBOUR, STRANGER, INTERNET, PRIVATE_HOST));
        all.addAll(outside);
        List<Map<String, Object>> policies = chart.ofKind("NetworkPolicy");
        assertThat(policies).isNotEmpty();
        Set<String> flows = new TreeSet<>();
        for (Endpoint from : all) {
            for (Endpoint to : all) {
                if (!release.contains(from) && !release.contains(to)) {
                    continue;
                }
                for (Port port : PORTS) {
                    if (allows(policies, from, to, port)) {
                        if (to == DNS && port.number() == 53) {
                            continue;
                        }
                        flows.add(from.name() + " -> " + to.name() + " " + port);
                    }
                }
            }
        }
        // Every pod of the release resolves names (and through the default deny, nothing else is open by accident).
        for (Endpoint pod : release) {
            assertThat(allows(policies, pod, DNS, new Port("UDP", 53))).as(pod.name() + " resolves names").isTrue();
            assertThat(allows(policies, pod, DNS, tcp(53))).as(pod.name() + " resolves names over TCP").isTrue();
        }
        return flows;
    }

    private static boolean allows(List<Map<String, Object>> policies, Endpoint from, Endpoint to, Port port) {
        return permits(policies, from, "Egress", "egress", "to", to, port)
                && permits(policies, to, "Ingress", "ingress", "from", from, port);
    }

    /** Whether the policies selecting {@code subject} for a direction let it talk to {@code peer}. */
    private static boolean permits(List<Map<String, Object>> policies, Endpoint subject, String type, String rulesKey,
                                   String peersKey, Endpoint peer, Port port) {
        if (!subject.isPod()) {
            return true;
        }
        boolean selected = false;
        for (Map<String, Object> policy : policies) {
            String namespace = (String) map(policy, "metadata").get("namespace");
            Map<String, Object> spec = map(policy, "spec");
            if (!namespace.equals(subject.namespace()) || !selects(map(spec, "podSelector"), subject.labels())
                    || !((List<?>) spec.get("policyTypes")).contains(type)) {
                continue;
            }
            selected = true;
            for (Map<String, Object> rule : list(spec, rulesKey)) {
                // The named ports of a rule are the destination pod's.
                Endpoint destination = type.equals("Egress") ? peer : subject;
                if (matchesPeers(list(rule, peersKey), namespace, peer) && matchesPorts(list(rule, "ports"), destination, port)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    private static boolean matchesPeers(List<Map<String, Object>> peers, String policyNamespace, Endpoint peer) {
        if (peers.isEmpty()) {
            return true;
        }
        for (Map<String, Object> entry : peers) {
            if (entry.containsKey("ipBlock")) {
                Map<String, Object> block = map(entry, "ipBlock");
                @SuppressWarnings("unchecked")
                List<String> except = (List<String>) block.getOrDefault("except", List.of());
                if (inCidr(peer.ip(), (String) block.get("cidr")) && except.stream().noneMatch(c -> inCidr(peer.ip(), c))) {
                    return true;
                }
                continue;
            }
            if (!peer.isPod()) {
                continue;
            }
            boolean namespaceMatches = entry.containsKey("namespaceSelector")
                    ? selects(map(entry, "namespaceSelector"), Map.of("kubernetes.io/metadata.name", peer.namespace()))
                    : policyNamespace.equals(peer.namespace());
            boolean podMatches = !entry.containsKey("podSelector") || selects(map(entry, "podSelector"), peer.labels());
            if (namespaceMatches && podMatches) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesPorts(List<Map<String, Object>> ports, Endpoint destination, Port port) {
        if (ports.isEmpty()) {
            return true;
        }
        for (Map<String, Object> entry : ports) {
            String protocol = (String) entry.getOrDefault("protocol", "TCP");
            Object number = entry.get("port");
            Integer resolved = number instanceof String named ? destination.namedPorts().get(named) : (Integer) number;
            if (protocol.equals(port.protocol()) && (number == null || Integer.valueOf(port.number()).equals(resolved))) {
                return true;
            }
        }
        return false;
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        assertThat(selector).as("only matchLabels selectors are used").doesNotContainKey("matchExpressions");
        return labels.entrySet().containsAll(map(selector, "matchLabels").entrySet());
    }

    private static boolean inCidr(String ip, String cidr) {
        try {
            String[] parts = cidr.split("/");
            byte[] address = InetAddress.getByName(ip).getAddress();
            byte[] network = InetAddress.getByName(parts[0]).getAddress();
            if (address.length != network.length) {
                return false;
            }
            int bits = Integer.parseInt(parts[1]);
            int shift = address.length * 8 - bits;
            return new BigInteger(1, address).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
        } catch (Exception e) {
            throw new AssertionError("bad CIDR " + cidr, e);
        }
    }

    private static Endpoint releasePod(Map<String, Object> workload, String ip) {
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (Map<String, Object> container : containers(workload)) {
            for (Map<String, Object> port : list(container, "ports")) {
                ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
            }
        }
        String name = name(workload).substring("ats-".length());
        return new Endpoint(name, NAMESPACE, labels(podTemplate(workload)), ip, ports);
    }

    private static Endpoint pod(String name, String namespace, Map<String, Object> labels, String ip) {
        return new Endpoint(name, namespace, labels, ip, Map.of());
    }

    private static Endpoint address(String name, String ip) {
        return new Endpoint(name, null, Map.of(), ip, Map.of());
    }

    private static Port tcp(int number) {
        return new Port("TCP", number);
    }
}
