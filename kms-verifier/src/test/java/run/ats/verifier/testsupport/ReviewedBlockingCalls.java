package run.ats.verifier.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/** The verifier's reviewed blocking calls on non-blocking threads; each says why it is harmless. */
public final class ReviewedBlockingCalls implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // r2dbc-postgresql's SCRAM login reads /dev/urandom for a nonce, once per new connection; never blocks once seeded.
        builder.allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce");
        // Print every violation before throwing it: a library may swallow the error and leave a request hanging.
        builder.blockingMethodCallback(method -> {
            BlockingOperationError error = new BlockingOperationError(method);
            error.printStackTrace();
            throw error;
        });
    }
}
