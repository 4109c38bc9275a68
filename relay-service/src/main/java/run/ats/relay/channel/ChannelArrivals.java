package run.ats.relay.channel;

/** Told of every new (not duplicate) event on a channel, after its subscribers got it. */
public interface ChannelArrivals {

    void arrived(ChannelKey key);
}
