package dev.keepwarm.warmer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.DisposableBean;

/**
 * The one owner of the warmer's background work: the reconcile loop, pings nobody waits
 * for (a load a client left, the check after a /v1 answer) and shared pings. Everything
 * it started is disposed when the context closes; after that it starts nothing. The only
 * class in main code allowed to call {@code subscribe()} (ArchitectureTest).
 */
final class Subscriptions implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);

    private final Disposable.Composite owned = Disposables.composite();

    /**
     * Runs {@code work} in the background until it ends or the context closes; errors are
     * logged, never thrown.
     */
    Disposable own(Mono<?> work) {
        Disposable.Swap slot = Disposables.swap();
        if (!owned.add(slot)) {
            return slot; // closed: start nothing
        }
        slot.update(work.doFinally(signal -> owned.remove(slot)).subscribe(value -> {
        }, error -> log.warn("Background warmer work failed", error)));
        return slot;
    }

    /** How much background work runs now. */
    int running() {
        return owned.size();
    }

    @Override
    public void destroy() {
        owned.dispose();
    }

}
