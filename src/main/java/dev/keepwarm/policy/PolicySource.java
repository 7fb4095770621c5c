package dev.keepwarm.policy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies in effect: the one place the proxy and the warmer read them from. They
 * change when {@code keepwarm.policy-file} changes; models already loaded are not touched
 * here (the warmer listens).
 */
public final class PolicySource {

    private static final Logger log = LoggerFactory.getLogger(PolicySource.class);

    private final AtomicReference<Policies> current;

    private final List<Consumer<Policies>> listeners = new CopyOnWriteArrayList<>();

    /**
     * A source holding these policies until a reload replaces them (tests of other
     * packages build one directly).
     */
    public PolicySource(Policies initial) {
        this.current = new AtomicReference<>(initial);
    }

    /**
     * The policies in effect now. Ask again for each decision: a reference kept would
     * miss reloads.
     */
    public Policies current() {
        return current.get();
    }

    /**
     * Calls the listener with the new policies after each successful reload (not with the
     * ones in effect when it is added), on the thread that reloaded them, so it should
     * not block. A listener that throws is logged and does not keep the others from being
     * called.
     */
    public void addListener(Consumer<Policies> listener) {
        listeners.add(listener);
    }

    /** Swaps the policies in, then tells the listeners. */
    void replace(Policies next) {
        current.set(next);
        for (Consumer<Policies> listener : listeners) {
            try {
                listener.accept(next);
            }
            catch (RuntimeException e) {
                log.error("A policy listener failed on reloaded policies ({})", next, e);
            }
        }
    }

}
