package dev.keepwarm.policy;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Polls the policy file and swaps its policies in when its content changes. Polling,
 * because Kubernetes updates a mounted ConfigMap by swapping a symlink, which a
 * WatchService misses. A file that cannot be used keeps the policies loaded before, with
 * one WARN per distinct problem.
 */
final class PolicyFileWatcher implements SmartLifecycle {

    static final String RELOADS = "keepwarm.policy.reloads";

    private static final Logger log = LoggerFactory.getLogger(PolicyFileWatcher.class);

    private final PolicyFile file;

    private final PolicySource source;

    private final Duration interval;

    private final @Nullable Counter loaded;

    private final @Nullable Counter failed;

    private final FileChanges changes;

    private @Nullable String readProblem;

    private volatile @Nullable ScheduledExecutorService executor;

    PolicyFileWatcher(PolicyFile file, PolicySource source, Duration interval, @Nullable MeterRegistry meters) {
        this.file = file;
        this.source = source;
        this.interval = interval;
        this.changes = new FileChanges(file.path());
        this.loaded = meters == null ? null : reloads(meters, "loaded");
        this.failed = meters == null ? null : reloads(meters, "failed");
    }

    private static Counter reloads(MeterRegistry meters, String outcome) {
        return Counter.builder(RELOADS)
            .description("Reloads of keepwarm.policy-file after it changed")
            .tag("outcome", outcome)
            .register(meters);
    }

    /**
     * Looks at the file once and reloads it if its content changed; tests call it instead
     * of waiting.
     */
    synchronized void checkNow() {
        Optional<byte[]> content;
        try {
            content = changes.changedContent();
        }
        catch (NoSuchFileException e) {
            cannotRead("it does not exist");
            return;
        }
        catch (IOException e) {
            cannotRead("it cannot be read: " + e);
            return;
        }
        if (readProblem != null) {
            log.info("Policy file {} can be read again", file.path());
            readProblem = null;
        }
        // unchanged content, a broken one included, is not parsed and reported again
        content.ifPresent(this::reload);
    }

    private void reload(byte[] content) {
        Policies next;
        try {
            next = file.parse(content);
        }
        catch (PolicyFile.InvalidPolicyFileException e) {
            increment(failed);
            log.warn("Policy file {} is invalid, keeping the policies loaded before: {}", file.path(), e.getMessage());
            return;
        }
        if (next.equals(source.current())) {
            log.debug("Policy file {} changed, its policies did not", file.path());
            return;
        }
        source.replace(next);
        increment(loaded);
        log.info("Loaded policies from {}: {}", file.path(), next);
    }

    private void cannotRead(String problem) {
        changes.forgetTimestamp();
        if (!problem.equals(readProblem)) {
            readProblem = problem;
            increment(failed);
            log.warn("Policy file {} is unusable, keeping the policies loaded before: {}", file.path(), problem);
        }
    }

    private static void increment(@Nullable Counter counter) {
        if (counter != null) {
            counter.increment();
        }
    }

    @Override
    public void start() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "keepwarm-policy-file");
            thread.setDaemon(true);
            return thread;
        });
        // positive (PolicyFileProperties), even below a millisecond
        long nanos = interval.toNanos();
        scheduler.scheduleWithFixedDelay(this::checkLogged, nanos, nanos, TimeUnit.NANOSECONDS);
        executor = scheduler;
        log.info("Watching policy file {} for changes every {}", file.path(), interval);
    }

    /** An exception escaping a periodic task would cancel all later checks. */
    private void checkLogged() {
        try {
            checkNow();
        }
        catch (RuntimeException e) {
            log.warn("Checking policy file {} failed", file.path(), e);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService scheduler = executor;
        executor = null;
        if (scheduler == null) {
            return;
        }
        scheduler.shutdown(); // lets a check in progress finish: an interrupted read
                              // would be reported as a failure
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        }
        catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

}
