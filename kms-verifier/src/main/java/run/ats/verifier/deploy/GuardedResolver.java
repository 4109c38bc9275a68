package run.ats.verifier.deploy;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves host names for the fetcher and refuses them when any address they resolve to is
 * internal, so the connection can only go to an address that was checked (no second lookup for
 * a rebinding name to answer differently). The JDK's resolver blocks: it runs on the executor
 * given, never on an event loop.
 */
final class GuardedResolver extends AddressResolverGroup<InetSocketAddress> {

    private final AddressPolicy policy;
    private final Executor blocking;

    GuardedResolver(AddressPolicy policy, Executor blocking) {
        this.policy = policy;
        this.blocking = blocking;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                lookUp(host, promise, all -> all.getFirst());
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                lookUp(host, promise, all -> all);
            }
        });
    }

    private <T> void lookUp(String host, Promise<T> promise, java.util.function.Function<List<InetAddress>, T> answer) {
        blocking.execute(() -> {
            try {
                List<InetAddress> all = Arrays.asList(InetAddress.getAllByName(host));
                all.forEach(policy::check);
                promise.trySuccess(answer.apply(all));
            } catch (Exception e) {
                promise.tryFailure(e);
            }
        });
    }
}
