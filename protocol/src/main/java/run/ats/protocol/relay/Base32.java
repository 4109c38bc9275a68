package run.ats.protocol.relay;

/**
 * RFC 4648 base32 in lowercase ({@code a-z2-7}) without padding: the spelling of relay ids,
 * chosen because it survives DNS labels and case-insensitive handling. Only encoding is needed.
 */
final class Base32 {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private Base32() {
    }

    /** {@code ceil(8n / 5)} characters for {@code n} bytes; the last group is zero-filled. */
    static String encode(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out.append(ALPHABET.charAt((buffer >>> bits) & 0x1f));
            }
            // Only the low `bits` (< 5) bits are still needed; dropping the rest keeps the int from overflowing.
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) {
            out.append(ALPHABET.charAt((buffer << (5 - bits)) & 0x1f));
        }
        return out.toString();
    }
}
