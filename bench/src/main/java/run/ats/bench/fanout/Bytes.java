package run.ats.bench.fanout;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** Byte searches on frames, so that the harness never decodes a whole message it only counts. */
final class Bytes {

    private Bytes() {
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Index of {@code pattern} in {@code bytes} from {@code from} (absolute), or -1. */
    static int indexOf(ByteBuf bytes, int from, byte[] pattern) {
        int last = bytes.writerIndex() - pattern.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (bytes.getByte(i + j) != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
