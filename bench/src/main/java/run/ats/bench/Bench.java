package run.ats.bench;

import java.time.Duration;

/** The tiniest harness: run a task back to back for a while, report completions per second. */
final class Bench {

    interface Task {
        void run() throws Exception;
    }

    private Bench() {
    }

    static double rate(Task task, Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        long count = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            task.run();
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }
}
