package run.ats.bench.tunnel;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a running JVM holds, as opposed to what it has committed: the live objects on its heap
 * (the class histogram, taken after a full collection), plus the native memory outside the heap (Native Memory Tracking's committed total
 * minus the heap's committed size: direct buffers, thread stacks, metaspace, the collector's own
 * structures). Needs the JVM started with {@code -XX:NativeMemoryTracking=summary}.
 */
final class JvmFootprint {

    /** The histogram's last line, {@code Total <instances> <bytes>}: live objects, counted after a full collection. */
    private static final Pattern LIVE_BYTES = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final Pattern TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern HEAP_COMMITTED = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    private JvmFootprint() {
    }

    static long liveKiB(long pid) throws Exception {
        // The class histogram collects first (its default), whatever the collector, and sums what is live.
        long heapUsed = find(LIVE_BYTES, jcmd(pid, "GC.class_histogram"), pid) / 1024;
        String nmt = jcmd(pid, "VM.native_memory", "summary");
        if (nmt.contains("not enabled")) {
            throw new IllegalStateException("JVM " + pid + " runs without Native Memory Tracking: run the bench with "
                    + "JAVA_TOOL_OPTIONS=-XX:NativeMemoryTracking=summary");
        }
        return heapUsed + find(TOTAL, nmt, pid) - find(HEAP_COMMITTED, nmt, pid);
    }

    private static long find(Pattern pattern, String text, long pid) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("jcmd " + pid + " printed no " + pattern + ":\n" + text);
        }
        return Long.parseLong(matcher.group(1));
    }

    private static String jcmd(long pid, String... command) throws Exception {
        String[] line = new String[command.length + 2];
        line[0] = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        line[1] = Long.toString(pid);
        System.arraycopy(command, 0, line, 2, command.length);
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", line) + " failed:\n" + out);
        }
        return out;
    }
}
