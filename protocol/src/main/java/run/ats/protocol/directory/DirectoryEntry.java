package run.ats.protocol.directory;

import run.ats.protocol.crypto.Ed25519;
import run.ats.protocol.relay.RelayId;
import run.ats.protocol.relay.RelayNames;

import java.net.URI;
import java.util.Base64;
import java.util.Objects;

/**
 * One relay in a directory version: its id, its raw Ed25519 public key (base64url, no padding),
 * where relays and clients reach it, its quantized weight (0: listed but not a root) and its
 * public name ({@code adjective-color-noun}, see {@link RelayNames}; null for a relay without one).
 * Nothing about its owner. The id must be the one the key derives: entries are self-certifying.
 */
public record DirectoryEntry(String relayId, String publicKey, String url, int weight, String name) {

    /** Weights are small integers: quantized health, so that small changes move no tree. */
    public static final int MAX_WEIGHT = 16;

    /** An entry without a public name. */
    public DirectoryEntry(String relayId, String publicKey, String url, int weight) {
        this(relayId, publicKey, url, weight, null);
    }

    public DirectoryEntry {
        if (name != null && !RelayNames.PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be three lowercase words joined by hyphens: " + name);
        }
        Objects.requireNonNull(relayId, "relayId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(url, "url");
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 0.." + MAX_WEIGHT + ", not " + weight);
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(publicKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("publicKey is not base64url: " + e.getMessage());
        }
        if (raw.length != Ed25519.RAW_KEY_LENGTH) {
            throw new IllegalArgumentException("publicKey must be " + Ed25519.RAW_KEY_LENGTH + " raw bytes, not " + raw.length);
        }
        if (!RelayId.of(raw).equals(relayId)) {
            throw new IllegalArgumentException("relayId " + relayId + " is not the id of its publicKey (" + RelayId.of(raw) + ")");
        }
        URI parsed = URI.create(url);
        if (!"ws".equals(parsed.getScheme()) && !"wss".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("url must be a ws:// or wss:// URL with a host: " + url);
        }
    }

    /** The entry for a JDK key. */
    public static DirectoryEntry of(java.security.PublicKey key, String url, int weight) {
        byte[] raw = Ed25519.raw(key);
        return new DirectoryEntry(RelayId.of(raw), Base64.getUrlEncoder().withoutPadding().encodeToString(raw), url, weight);
    }

    public java.security.PublicKey key() {
        return Ed25519.publicKey(Base64.getUrlDecoder().decode(publicKey));
    }
}
