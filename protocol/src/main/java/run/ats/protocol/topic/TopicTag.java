package run.ats.protocol.topic;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Topics on the wire are tags, not names (ATS-DESIGN section 3): relays route by tag and never
 * learn what a topic is called. A tag is the first {@value #LENGTH} characters of
 * base64url-without-padding of SHA-256({@code "ats-topic-v1"}, a NUL byte, the name's UTF-8).
 * The version prefix lets a later tag scheme coexist; the NUL keeps the prefix and the name
 * apart.
 */
public final class TopicTag {

    /** Characters in a tag: 132 bits of the hash, plenty against accidental collisions. */
    public static final int LENGTH = 22;

    /**
     * What relays accept as a tag: wider than {@link #LENGTH} so that a later tag version fits
     * without a relay update.
     */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final byte[] DOMAIN = "ats-topic-v1\0".getBytes(StandardCharsets.US_ASCII);

    private TopicTag() {
    }

    /**
     * The tag of a topic name. Any name is allowed, the empty one too, but it must be
     * well-formed UTF-16: Java would encode a lone surrogate as {@code ?} where a browser's
     * TextEncoder writes U+FFFD, and the PWA and the servers would then disagree on the tag.
     *
     * @throws IllegalArgumentException if the name holds an unpaired surrogate, naming its index
     */
    public static String of(String topicName) {
        Objects.requireNonNull(topicName, "topicName");
        requireWellFormed(topicName);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        input.writeBytes(DOMAIN);
        input.writeBytes(topicName.getBytes(StandardCharsets.UTF_8));
        byte[] hash = sha256().digest(input.toByteArray());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, LENGTH);
    }

    /** Whether the string is acceptable as a tag on the wire (see {@link #PATTERN}); false for null. */
    public static boolean isValid(String tag) {
        return tag != null && PATTERN.matcher(tag).matches();
    }

    private static void requireWellFormed(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(
                        "topic name has an unpaired surrogate U+" + Integer.toHexString(c).toUpperCase() + " at index " + i);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
