package run.ats.directory.relays;

import java.time.Duration;

/**
 * A relay's health as its latest heartbeat tells it, and the weight quantized from it. Weights
 * take four values so that ordinary changes (a few more connections, a minute more uptime)
 * move no tree: 0 not answering, 1 loaded (80 % or more), 2 new (up less than ten minutes),
 * 4 healthy.
 */
public record Health(Long heartbeatMs, Long uptimeSeconds, Integer loadPercent) {

    static final Duration NEW_RELAY = Duration.ofMinutes(10);
    static final int LOADED_PERCENT = 80;

    public int weight(long nowMs, Duration answeringWithin) {
        if (heartbeatMs == null || nowMs - heartbeatMs > answeringWithin.toMillis()) {
            return 0;
        }
        if (loadPercent != null && loadPercent >= LOADED_PERCENT) {
            return 1;
        }
        if (uptimeSeconds == null || uptimeSeconds < NEW_RELAY.toSeconds()) {
            return 2;
        }
        return 4;
    }

}
