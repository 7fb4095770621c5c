package dev.keepwarm.support;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes a Netty buffer leak fail the build. The launcher-session hook installs, before
 * any buffer exists, a leak detector that records every leak Netty reports (the surefire
 * JVM runs with io.netty.leakDetection.level=paranoid, so every buffer is tracked); after
 * each test class the extension collects garbage, makes Netty look for leaked buffers,
 * and fails that class if it finds any.
 */
public final class LeakDetection implements LauncherSessionListener, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    /**
     * Buffers (and other resources) Netty started tracking, and how many of them a check
     * has covered.
     */
    private static final AtomicLong TRACKED = new AtomicLong();

    private static long checked;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        long tracked = TRACKED.get();
        if (tracked == checked && LEAKS.isEmpty()) {
            // nothing allocated since the last class was checked: the GC rounds would
            // find nothing new
            return;
        }
        // One full collection, waited for by its effect: every unreachable tracked
        // buffer's leak reference is then
        // enqueued, and the next tracked allocation drains Netty's queue and reports them
        // all. (Three rounds cost
        // about 40 s of the suite and found nothing a single one does not.)
        collectGarbage();
        ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(16);
        probe.release();
        checked = TRACKED.get(); // the probes included
        if (!LEAKS.isEmpty()) {
            String report = String.join("\n\n", LEAKS);
            LEAKS.clear();
            throw new AssertionError("Netty buffer leak detected after " + context.getDisplayName() + ":\n" + report);
        }
    }

    /**
     * A full collection, waited for by its effect rather than by time: a sentinel's weak
     * reference is enqueued when the collector has processed the references it cleared,
     * Netty's leak trackers among them.
     */
    private static void collectGarbage() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        for (int attempt = 0; attempt < 10 && queue.remove(50) == null; attempt++) {
            System.gc();
        }
        sentinel.clear();
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            return new ResourceLeakDetector<>(resource, samplingInterval, maxActive) {
                @Override
                protected Object getInitialHint(String resourceType) {
                    TRACKED.incrementAndGet(); // called for every tracked allocation
                                               // (paranoid tracks them all)
                    return super.getInitialHint(resourceType);
                }

                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add(resourceType + " leak:" + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add(resourceType + " leak (untraced)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }

    }

}
