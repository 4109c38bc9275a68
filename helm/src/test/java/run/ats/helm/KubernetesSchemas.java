package run.ats.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubernetes.client.openapi.models.V1ObjectMeta;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a rendered object against its API's schema. Kubernetes' own kinds go through the
 * generated models of the official Java client (io.kubernetes:client-java-api), whose validators
 * refuse unknown fields and missing required ones at every depth, as {@code kubectl apply
 * --validate=strict} would. Custom resources go through the JSON schemas in
 * {@code src/test/resources/crds}, strict in the same way.
 */
final class KubernetesSchemas {

    private static final Map<String, String> CUSTOM = Map.of(
            "cert-manager.io/v1/Certificate", "certificate.json",
            "monitoring.coreos.com/v1/ServiceMonitor", "servicemonitor.json",
            "monitoring.coreos.com/v1/PrometheusRule", "prometheusrule.json",
            "postgresql.cnpg.io/v1/Cluster", "cluster.json",
            "postgresql.cnpg.io/v1/Database", "database.json");

    /** API groups the Java client's models cover (core is ""). */
    private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "policy", "autoscaling", "networking.k8s.io",
            "batch", "rbac.authorization.k8s.io");

    private static final Gson GSON = new Gson();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);

    private KubernetesSchemas() {
    }

    /** Throws an AssertionError naming the object and what is wrong with it. */
    static void validate(Map<String, Object> object) {
        String apiVersion = (String) object.get("apiVersion");
        String kind = (String) object.get("kind");
        String what = kind + " " + RenderedChart.name(object);
        if (apiVersion == null || kind == null) {
            throw new AssertionError("an object without apiVersion or kind: " + object);
        }
        String schema = CUSTOM.get(apiVersion + "/" + kind);
        if (schema != null) {
            validateCustom(what, schema, object);
            return;
        }
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        if (!BUILT_IN_GROUPS.contains(group)) {
            throw new AssertionError(what + ": no schema for " + apiVersion + " (add one to src/test/resources/crds)");
        }
        String model = "io.kubernetes.client.openapi.models." + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
        try {
            Method validator = Class.forName(model).getMethod("validateJsonElement", JsonElement.class);
            validator.invoke(null, GSON.toJsonTree(object));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(what + ": " + apiVersion + " " + kind + " is not a Kubernetes API");
        } catch (InvocationTargetException e) {
            throw new AssertionError(what + " is invalid: " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void validateCustom(String what, String schemaFile, Map<String, Object> object) {
        JsonSchema schema;
        try (InputStream in = KubernetesSchemas.class.getResourceAsStream("/crds/" + schemaFile)) {
            schema = SCHEMAS.getSchema(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Set<ValidationMessage> problems = schema.validate(JSON.valueToTree(object));
        if (!problems.isEmpty()) {
            throw new AssertionError(what + " is invalid: "
                    + problems.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; ")));
        }
        try {
            V1ObjectMeta.validateJsonElement(GSON.toJsonTree(object.get("metadata")));
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(what + " has invalid metadata: " + e.getMessage());
        }
    }
}
