package dev.keepwarm.fake;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every request received, in arrival order, and those whose client went away before the
 * answer finished.
 */
final class Journal {

    private final List<Received> received = new CopyOnWriteArrayList<>();

    private final List<Received> cancelled = new CopyOnWriteArrayList<>();

    void received(Received request) {
        received.add(request);
    }

    void cancelled(Received request) {
        cancelled.add(request);
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    List<Received> cancelled() {
        return List.copyOf(cancelled);
    }

    void clear() {
        received.clear();
        cancelled.clear();
    }

}
