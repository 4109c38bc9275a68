package run.ats.directory.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The one reviewed list of blocking calls BlockHound lets pass on non-blocking threads.
 * Each entry says why it is harmless.
 */
public final class ReviewedBlockingCalls implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // r2dbc-postgresql's SCRAM login draws a nonce from a NativePRNG SecureRandom, which reads
        // /dev/urandom; that never blocks once the kernel is seeded, and happens once per new connection.
        builder.allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce");

        // The first constraint violation loads Hibernate Validator's message bundle from its jar,
        // once; the bundle is cached for the life of the process.
        builder.allowBlockingCallsInside("org.hibernate.validator.resourceloading.PlatformResourceBundleLocator", "loadBundle");

        // Print every violation before throwing it: a library may swallow the error and leave a
        // request hanging, and the trace is what says where.
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            error.printStackTrace();
            throw error;
        });
    }
}
