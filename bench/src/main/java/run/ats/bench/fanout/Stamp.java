package run.ats.bench.fanout;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * What every benchmark message carries: the step it belongs to (late messages of an earlier
 * step are not counted), its sequence number and the publisher's send time. Written as fixed
 * ASCII, {@code S0001Q0000000042T0000012345678901234}, 36 characters, so that it is a valid ATS
 * event id and the first bytes of an MQTT or NATS payload alike.
 */
record Stamp(int step, long seq, long sentNanos) {

    static final int LENGTH = 36;

    String text() {
        return String.format("S%04dQ%010dT%019d", step, seq, sentNanos);
    }

    /** Reads a stamp starting at {@code at}; null if the bytes there are not one. */
    static Stamp read(ByteBuf bytes, int at) {
        if (at < 0 || at + LENGTH > bytes.writerIndex() || bytes.getByte(at) != 'S'
                || bytes.getByte(at + 5) != 'Q' || bytes.getByte(at + 16) != 'T') {
            return null;
        }
        return new Stamp((int) digits(bytes, at + 1, 4), digits(bytes, at + 6, 10), digits(bytes, at + 17, 19));
    }

    /** A payload of {@code size} bytes: this stamp, then filler. */
    byte[] payload(int size) {
        byte[] payload = new byte[size];
        java.util.Arrays.fill(payload, (byte) 'x');
        byte[] text = text().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, payload, 0, text.length);
        return payload;
    }

    private static long digits(ByteBuf bytes, int from, int count) {
        long value = 0;
        for (int i = from; i < from + count; i++) {
            value = value * 10 + (bytes.getByte(i) - '0');
        }
        return value;
    }
}
