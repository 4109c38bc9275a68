package run.ats.tunnel;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Random;

/**
 * Flow control under any sequence of sends, acknowledgements and frames: the {@link MuxScript}
 * rules (credit never above the window, never spent past zero, returned only for bytes written
 * out; streams end both ways; nothing leaks) checked over scripts drawn from a fixed seed, the
 * same every run. A failure names the script, to replay as a fuzz seed.
 */
class TunnelMuxPropertiesTest {

    private static final int SCRIPTS = 1500;

    @Test
    void anySequenceOfBytesAsAScriptKeepsTheRules() {
        Random random = new Random(0x7e57_f10eL);
        for (int i = 0; i < SCRIPTS; i++) {
            byte[] script = new byte[1 + random.nextInt(400)];
            random.nextBytes(script);
            replay(script);
        }
    }

    /**
     * Scripts a well-behaved peer could send: frames are well-formed and sized near the credit,
     * so streams live long, fill their windows, get credit back, half-close and end.
     */
    @Test
    void wellFormedSequencesKeepTheRules() {
        Random random = new Random(0xf10_c0deL);
        for (int i = 0; i < SCRIPTS; i++) {
            java.io.ByteArrayOutputStream script = new java.io.ByteArrayOutputStream();
            script.write(random.nextInt(2));
            int steps = 1 + random.nextInt(120);
            for (int s = 0; s < steps; s++) {
                int op = random.nextInt(10);
                switch (op) {
                    case 0, 1 -> {
                        // A structured frame (MuxScript.feedStructured): OPEN, DATA, WINDOW, FIN or RESET on streams 1-4.
                        int[] picks = {0, 1, 1, 5, 2, 6, 3, 4};
                        int pick = picks[random.nextInt(picks.length)];
                        script.write(op);
                        script.write(pick);
                        script.write(random.nextInt(7));
                        if (pick == 1 || pick == 5) {
                            script.write(random.nextInt(2) == 0 ? random.nextInt(65) : random.nextInt(256)); // size near the credit
                        } else if (pick == 2 || pick == 6) {
                            int choice = random.nextInt(3); // credit: what is owed, a little more, or a multiple of 257
                            script.write(choice);
                            if (choice != 0) {
                                script.write(random.nextInt(256));
                            }
                        }
                    }
                    case 2, 9 -> script.write(8); // run the loop's tasks (flushes)
                    default -> {
                        script.write(op);
                        script.write(random.nextInt(256));
                    }
                }
            }
            replay(script.toByteArray());
        }
    }

    private static void replay(byte[] script) {
        try {
            MuxScript.run(script);
        } catch (AssertionError | RuntimeException broken) {
            throw new AssertionError(broken + " in script " + Base64.getEncoder().encodeToString(script), broken);
        }
    }
}
