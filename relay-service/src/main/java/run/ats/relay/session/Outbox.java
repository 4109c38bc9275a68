package run.ats.relay.session;

import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's outbound frames, bounded in bytes. A reader too slow to keep it under the
 * bound loses its own connection (1008 "slow consumer"); publishers never wait for it.
 */
final class Outbox {

    private final Sinks.Many<byte[]> frames = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.One<CloseStatus> close = Sinks.one();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long limitBytes;
    private final Runnable onSlowConsumer;

    Outbox(long limitBytes, Runnable onSlowConsumer) {
        this.limitBytes = limitBytes;
        this.onSlowConsumer = onSlowConsumer;
    }

    /** Queues a frame; many publishers may call at once, so emission is serialized here. */
    synchronized void offer(byte[] frame) {
        if (queuedBytes.addAndGet(frame.length) > limitBytes) {
            if (close(new CloseStatus(1008, "slow consumer: more than " + limitBytes + " bytes waiting"))) {
                onSlowConsumer.run();
            }
            return;
        }
        frames.tryEmitNext(frame);
    }

    /** Asks for the connection to close; true for the first request. */
    boolean close(CloseStatus status) {
        return close.tryEmitValue(status).isSuccess();
    }

    Mono<CloseStatus> closeRequested() {
        return close.asMono();
    }

    /** The same bytes for every subscriber: wrapped, not copied. */
    Flux<WebSocketMessage> messages(WebSocketSession session) {
        return frames.asFlux().map(bytes -> {
            queuedBytes.addAndGet(-bytes.length);
            return new WebSocketMessage(WebSocketMessage.Type.TEXT, session.bufferFactory().wrap(bytes));
        });
    }
}
