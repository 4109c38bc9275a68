package run.ats.verifier.deploy;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a redirect's {@code Location} header points, resolved against the URL that answered it.
 * The header is the origin's to write: anything that is not a plain http(s) URL reference of
 * reasonable length is refused with an {@link UnsafeFetchException} naming it, which makes the
 * verification "cannot check", never an unexpected error.
 */
final class RedirectTarget {

    /** Longer than any URL a deployment of static files needs; browsers cap around 2 MB, we need far less. */
    static final int MAX_LENGTH = 8192;

    private RedirectTarget() {
    }

    /**
     * @param from     the URL that answered with the redirect; absolute, http(s)
     * @param location the header's value as served, possibly null
     * @return the absolute target
     * @throws UnsafeFetchException when the header is missing, too long, not a URI reference, or leads
     *                              somewhere that is not http(s) with a host
     */
    static URI resolve(URI from, String location) {
        if (location == null || location.isBlank()) {
            throw new UnsafeFetchException(from + " redirects without a Location");
        }
        if (location.length() > MAX_LENGTH) {
            throw new UnsafeFetchException(from + " redirects to a Location of " + location.length() + " characters (at most "
                    + MAX_LENGTH + ")");
        }
        URI target;
        try {
            target = from.resolve(new URI(location.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new UnsafeFetchException(from + " redirects to a malformed Location (" + printable(location) + ")");
        }
        String scheme = target.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || target.getHost() == null) {
            throw new UnsafeFetchException(from + " redirects to " + printable(location) + ", not an http(s) URL with a host");
        }
        return target;
    }

    /** The header as it can be quoted in a report: control characters escaped, at most 200 characters. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 200; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return value.length() > 200 ? out + "..." : out.toString();
    }
}
