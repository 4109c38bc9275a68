package run.ats.verifier.sri;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Subresource Integrity (W3C SRI): computing {@code sha384-...} values and checking an
 * {@code integrity} attribute against bytes. Of the algorithms an attribute names only the
 * strongest counts (sha256 &lt; sha384 &lt; sha512), any of its values may match, unknown
 * algorithms are ignored, and an attribute with no usable value passes, as browsers do.
 */
public final class Sri {

    /** The algorithm ATS releases use. */
    public static final Algorithm DEFAULT = Algorithm.SHA384;

    public enum Algorithm {
        SHA256("sha256", "SHA-256"), SHA384("sha384", "SHA-384"), SHA512("sha512", "SHA-512");

        private final String token;
        private final String jdkName;

        Algorithm(String token, String jdkName) {
            this.token = token;
            this.jdkName = jdkName;
        }

        public String token() {
            return token;
        }

        static Algorithm byToken(String token) {
            for (Algorithm algorithm : values()) {
                if (algorithm.token.equals(token.toLowerCase(Locale.ROOT))) {
                    return algorithm;
                }
            }
            return null;
        }
    }

    /** One usable {@code alg-digest} of an attribute. */
    public record Value(Algorithm algorithm, String digest) {
        @Override
        public String toString() {
            return algorithm.token + "-" + digest;
        }
    }

    private Sri() {
    }

    public static String of(byte[] content) {
        return of(DEFAULT, content);
    }

    public static String of(Algorithm algorithm, byte[] content) {
        return algorithm.token + "-" + Base64.getEncoder().encodeToString(digest(algorithm, content));
    }

    /** The usable values of an attribute, options ({@code ?...}) dropped, unknown algorithms skipped. */
    public static List<Value> parse(String attribute) {
        List<Value> values = new ArrayList<>();
        if (attribute == null) {
            return values;
        }
        for (String token : attribute.trim().split("[ \\t\\n\\f\\r]+")) {
            int dash = token.indexOf('-');
            if (dash <= 0) {
                continue;
            }
            Algorithm algorithm = Algorithm.byToken(token.substring(0, dash));
            String digest = token.substring(dash + 1);
            int options = digest.indexOf('?');
            if (options >= 0) {
                digest = digest.substring(0, options);
            }
            if (algorithm != null && digest.matches("[A-Za-z0-9+/]+={0,2}")) {
                values.add(new Value(algorithm, digest));
            }
        }
        return values;
    }

    /** Whether a browser would accept {@code content} under this {@code integrity} attribute. */
    public static boolean matches(String attribute, byte[] content) {
        List<Value> values = parse(attribute);
        if (values.isEmpty()) {
            return true;
        }
        Algorithm strongest = values.stream().map(Value::algorithm).max(Enum::compareTo).orElseThrow();
        String actual = Base64.getEncoder().encodeToString(digest(strongest, content));
        return values.stream().anyMatch(value -> value.algorithm() == strongest && value.digest().equals(actual));
    }

    /** A single well-formed value ({@code sha384-...} and so on), as release manifests must carry. */
    public static boolean isSingleValue(String value) {
        List<Value> values = parse(value);
        if (values.size() != 1 || !values.getFirst().toString().equals(value)) {
            return false;
        }
        Value only = values.getFirst();
        try {
            return Base64.getDecoder().decode(only.digest()).length == digestLength(only.algorithm());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int digestLength(Algorithm algorithm) {
        return switch (algorithm) {
            case SHA256 -> 32;
            case SHA384 -> 48;
            case SHA512 -> 64;
        };
    }

    private static byte[] digest(Algorithm algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm.jdkName).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm.jdkName, e);
        }
    }
}
