package dev.keepwarm.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound (installed for every test by blockhound-junit-platform) fails any blocking
 * call on an event-loop or parallel thread. These are the calls that block by design and
 * are fine there.
 */
public class KeepwarmBlockHound implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder
            // console logging writes to a stream; every reactive stack accepts this
            .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
            .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend")
            .allowBlockingCallsInside("org.springframework.boot.test.system.OutputCapture", "captureOut")
            // Netty 4.2's adaptive allocator takes a short internal lock when it grows;
            // Netty's own
            // BlockHound integration does not list it yet
            .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
            .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
            // class loading and the JDK's lazy initialisations read jars once
            .allowBlockingCallsInside("java.lang.ClassLoader", "loadClass")
            .allowBlockingCallsInside("java.util.UUID", "randomUUID")
            .allowBlockingCallsInside("java.security.SecureRandom", "nextBytes");
    }

}
