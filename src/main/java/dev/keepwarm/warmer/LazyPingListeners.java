package dev.keepwarm.warmer;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * The ping listener beans, found once every singleton exists (the meters that listen read
 * the warmer's state, so they cannot exist before it), never looked up on an event loop.
 * Not a listener bean itself: {@link #listener()} is what the pingers tell.
 */
final class LazyPingListeners implements SmartInitializingSingleton {

    private final ObjectProvider<PingListener> provider;

    private volatile List<PingListener> listeners = List.of();

    LazyPingListeners(ObjectProvider<PingListener> provider) {
        this.provider = provider;
    }

    @Override
    public void afterSingletonsInstantiated() {
        listeners = provider.orderedStream().toList();
    }

    /** Tells every listener bean. */
    PingListener listener() {
        return new PingListener() {
            @Override
            public void pinged(String model, PingOutcome outcome, @Nullable Duration took, boolean loaded) {
                pinged("default", model, outcome, took, loaded);
            }

            @Override
            public void verified(String model, PingOutcome outcome, @Nullable Duration took) {
                verified("default", model, outcome, took);
            }

            @Override
            public void pinged(String host, String model, PingOutcome outcome, @Nullable Duration took,
                    boolean loaded) {
                listeners.forEach(listener -> listener.pinged(host, model, outcome, took, loaded));
            }

            @Override
            public void verified(String host, String model, PingOutcome outcome, @Nullable Duration took) {
                listeners.forEach(listener -> listener.verified(host, model, outcome, took));
            }
        };
    }

}
