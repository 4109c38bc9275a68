package run.ats.relay.channel;

/** A (topic tag, cell) pair: the unit of subscription. Never logged. */
public record ChannelKey(String topic, String cell) {
    @Override
    public String toString() {
        return "ChannelKey[redacted]";
    }
}
