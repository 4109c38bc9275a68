package run.ats.relay.channel;

/** Whatever receives a channel's frames: a client connection today, a relay link later. */
public interface Subscriber {
    /** Queues the frame; never blocks. */
    void deliver(byte[] frame);
}
