package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.ollama.HostDiscovery;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.context.SmartLifecycle;

/**
 * Runs DNS discovery at start and every refresh, before the warmer's first pass; a lookup
 * that fails keeps the hosts known so far ({@link HostDiscovery}).
 */
final class DiscoveryLoop implements SmartLifecycle {

    private final HostDiscovery discovery;

    private final Subscriptions owner;

    private volatile @Nullable Disposable loop;

    DiscoveryLoop(HostDiscovery discovery, Subscriptions owner) {
        this.discovery = discovery;
        this.owner = owner;
    }

    @Override
    public void start() {
        loop = owner.own(Flux.interval(Duration.ZERO, discovery.refreshInterval())
            .onBackpressureDrop()
            .concatMap(tick -> discovery.refresh())
            .then());
    }

    @Override
    public void stop() {
        Disposable running = loop;
        if (running != null) {
            running.dispose();
        }
        loop = null;
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }

    /** Before the warmer's loop, so its first pass can see the hosts. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1000;
    }

}
