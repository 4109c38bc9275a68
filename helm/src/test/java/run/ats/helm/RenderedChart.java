package run.ats.helm;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/** The objects {@code helm template} rendered, with a few ways to find them and look inside. */
record RenderedChart(List<Map<String, Object>> objects) {

    static RenderedChart parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document != null) {
                objects.add(Objects.requireNonNull(asMap(document), "a rendered document is not an object"));
            }
        }
        return new RenderedChart(List.copyOf(objects));
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Map<String, Object> get(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name + " rendered"));
    }

    boolean has(String kind, String name) {
        return ofKind(kind).stream().anyMatch(o -> name.equals(name(o)));
    }

    /** Deployments and StatefulSets. */
    List<Map<String, Object>> workloads() {
        return objects.stream().filter(o -> o.get("kind").equals("Deployment") || o.get("kind").equals("StatefulSet")).toList();
    }

    static String name(Map<String, Object> object) {
        return (String) map(object, "metadata").get("name");
    }

    static Map<String, Object> labels(Map<String, Object> object) {
        return map(object, "metadata", "labels");
    }

    static Map<String, Object> podTemplate(Map<String, Object> workload) {
        return map(workload, "spec", "template");
    }

    static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(workload, "spec", "template", "spec");
    }

    static List<Map<String, Object>> containers(Map<String, Object> workload) {
        return list(podSpec(workload), "containers");
    }

    /** The object at a path of keys; an empty map when a key is missing. */
    static Map<String, Object> map(Map<String, Object> from, String... path) {
        Map<String, Object> at = from;
        for (String key : path) {
            Object next = at == null ? null : at.get(key);
            at = next == null ? Map.of() : asMap(next);
        }
        return at;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> from, String key) {
        Object value = from.get(key);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("not an object: " + value);
        }
        return (Map<String, Object>) value;
    }
}
