package run.ats.bench.tunnel;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a running JVM holds, as opposed to what it has committed: the live objects on its heap,
 * from the class histogram ({@code jcmd PID GC.class_histogram}, which collects fully first).
 * Idle connections hold no direct buffers (reads release theirs), and no thread each, so the
 * heap is where they live; the JVM's headroom above its live heap is a sizing choice (-Xmx).
 */
final class JvmFootprint {

    /** The histogram's last line, {@code Total <instances> <bytes>}. */
    private static final Pattern LIVE_BYTES = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    private JvmFootprint() {
    }

    static long liveKiB(long pid) throws Exception {
        String histogram = jcmd(pid, "GC.class_histogram");
        Matcher matcher = LIVE_BYTES.matcher(histogram);
        if (!matcher.find()) {
            throw new IllegalStateException("jcmd " + pid + " GC.class_histogram printed no total:\n" + histogram);
        }
        return Long.parseLong(matcher.group(1)) / 1024;
    }

    private static String jcmd(long pid, String command) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process process = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(jcmd + " " + pid + " " + command + " failed:\n" + out);
        }
        return out;
    }
}
