package run.ats.bench.tunnel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** What the bench reads about the processes it measures, from /proc, and where it pins them. */
final class Processes {

    private Processes() {
    }

    static boolean isJava(long pid) throws Exception {
        Path exe = Path.of("/proc", Long.toString(pid), "exe");
        return Files.exists(exe) && Files.readSymbolicLink(exe).getFileName().toString().equals("java");
    }

    static long cpuTicks(Set<Long> pids) throws Exception {
        long ticks = 0;
        for (long pid : pids) {
            Path stat = Path.of("/proc", Long.toString(pid), "stat");
            if (Files.exists(stat)) {
                String text = Files.readString(stat);
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            }
        }
        return ticks;
    }

    static String command(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (java.io.IOException gone) {
            return "gone";
        }
    }

    static long rssKiB(Set<Long> pids) throws Exception {
        long kib = 0;
        for (long pid : pids) {
            Path status = Path.of("/proc", Long.toString(pid), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        return kib;
    }

    static void pin(long pid, String core) throws Exception {
        new ProcessBuilder("taskset", "-a", "-p", "-c", core, Long.toString(pid))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
