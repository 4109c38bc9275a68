package run.ats.directory.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/** The directory's own reviewed blocking call, beside testkit's {@code ReviewedBlockingCalls}. */
public final class ValidatorBundle implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        // The first constraint violation loads Hibernate Validator's message bundle from its jar,
        // once; the bundle is cached for the life of the process.
        builder.allowBlockingCallsInside("org.hibernate.validator.resourceloading.PlatformResourceBundleLocator", "loadBundle");
    }
}
