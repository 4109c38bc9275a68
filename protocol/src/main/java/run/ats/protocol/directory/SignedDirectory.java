package run.ats.protocol.directory;

import run.ats.protocol.crypto.Ed25519;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * A directory version with the directory key's Ed25519 signature. Relays pin that key, so a
 * version is trusted by its signature whoever delivered it (the directory, or a peer relay).
 *
 * <p>The signature covers {@code "ats-directory-v1\n"} followed by the canonical JSON of the
 * version: fields in the order {@code version, issuedAt, rootsPerTree, relays}, each relay as
 * {@code relayId, publicKey, url, weight} and then {@code name} for a relay that has a public name
 * (absent otherwise), relays sorted by id, no whitespace. The wire form is
 * that object with one more field, {@code signature} (base64url, no padding). Parsing is strict:
 * an unknown field, a missing one or an entry whose id is not its key's is refused.
 */
public record SignedDirectory(Directory directory, String signature) {

    private static final String DOMAIN = "ats-directory-v1";
    private static final Set<String> FIELDS = Set.of("version", "issuedAt", "rootsPerTree", "relays", "signature");
    private static final Set<String> RELAY_FIELDS = Set.of("relayId", "publicKey", "url", "weight");
    private static final Set<String> RELAY_FIELDS_NAMED = Set.of("relayId", "publicKey", "url", "weight", "name");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static SignedDirectory sign(Directory directory, PrivateKey directoryKey) {
        byte[] signature = Ed25519.sign(directoryKey, signedBytes(directory));
        return new SignedDirectory(directory, Base64.getUrlEncoder().withoutPadding().encodeToString(signature));
    }

    /** The directory, if the signature is the pinned key's; else {@link InvalidDirectoryException}. */
    public Directory verifiedWith(PublicKey directoryKey) throws InvalidDirectoryException {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new InvalidDirectoryException("signature is not base64url");
        }
        if (!Ed25519.verify(directoryKey, signedBytes(directory), raw)) {
            throw new InvalidDirectoryException("directory version " + directory.version() + " is not signed by the directory key");
        }
        return directory;
    }

    public String toJson() {
        ObjectNode node = canonical(directory);
        node.put("signature", signature);
        return JSON.writeValueAsString(node);
    }

    public static SignedDirectory parse(String json) throws InvalidDirectoryException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidDirectoryException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidDirectoryException("a directory version is a JSON object");
        }
        exactFields(node, FIELDS, "directory");
        try {
            List<DirectoryEntry> relays = new ArrayList<>();
            if (!node.get("relays").isArray()) {
                throw new InvalidDirectoryException("relays must be an array");
            }
            for (JsonNode relay : node.get("relays")) {
                exactFields(relay, relay.has("name") ? RELAY_FIELDS_NAMED : RELAY_FIELDS, "relay");
                relays.add(new DirectoryEntry(text(relay, "relayId"), text(relay, "publicKey"), text(relay, "url"),
                        integer(relay, "weight"), relay.has("name") ? text(relay, "name") : null));
            }
            Directory directory = new Directory(longValue(node, "version"), longValue(node, "issuedAt"),
                    integer(node, "rootsPerTree"), relays);
            return new SignedDirectory(directory, text(node, "signature"));
        } catch (IllegalArgumentException e) {
            throw new InvalidDirectoryException(e.getMessage());
        }
    }

    /** What the signature covers. */
    static byte[] signedBytes(Directory directory) {
        return Ed25519.domainSeparated(DOMAIN, JSON.writeValueAsBytes(canonical(directory)));
    }

    private static ObjectNode canonical(Directory directory) {
        ObjectNode node = JSON.createObjectNode();
        node.put("version", directory.version());
        node.put("issuedAt", directory.issuedAt());
        node.put("rootsPerTree", directory.rootsPerTree());
        ArrayNode relays = node.putArray("relays");
        for (DirectoryEntry relay : directory.relays()) {
            ObjectNode entry = relays.addObject()
                    .put("relayId", relay.relayId())
                    .put("publicKey", relay.publicKey())
                    .put("url", relay.url())
                    .put("weight", relay.weight());
            if (relay.name() != null) {
                entry.put("name", relay.name());
            }
        }
        return node;
    }

    private static void exactFields(JsonNode node, Set<String> expected, String what) throws InvalidDirectoryException {
        if (!node.isObject()) {
            throw new InvalidDirectoryException(what + " must be a JSON object");
        }
        Set<String> names = new java.util.HashSet<>(node.propertyNames());
        if (!names.equals(expected)) {
            Set<String> unknown = new java.util.TreeSet<>(names);
            unknown.removeAll(expected);
            Set<String> missing = new java.util.TreeSet<>(expected);
            missing.removeAll(names);
            throw new InvalidDirectoryException(what + ": unknown fields " + unknown + ", missing fields " + missing);
        }
    }

    private static String text(JsonNode node, String field) throws InvalidDirectoryException {
        JsonNode value = node.get(field);
        if (!value.isString()) {
            throw new InvalidDirectoryException(field + " must be a string");
        }
        return value.asString();
    }

    private static long longValue(JsonNode node, String field) throws InvalidDirectoryException {
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidDirectoryException(field + " must be an integer");
        }
        return value.asLong();
    }

    private static int integer(JsonNode node, String field) throws InvalidDirectoryException {
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new InvalidDirectoryException(field + " must be an integer");
        }
        return value.asInt();
    }
}
