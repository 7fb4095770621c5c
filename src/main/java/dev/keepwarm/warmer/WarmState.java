package dev.keepwarm.warmer;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.policy.ModelName;
import org.jspecify.annotations.Nullable;

/**
 * The one place that knows which models are resident and how the warmer's pings went; the
 * proxy, the metrics and the actuator endpoint read it. Thread-safe: each model's state
 * is an immutable value swapped atomically.
 */
public final class WarmState {

    /**
     * Most models remembered at once. Names come from clients too (a glob rule matches
     * whatever they send), so the state is bounded: beyond this, models neither resident
     * nor pinged lately are forgotten first.
     */
    public static final int MAX_MODELS = 1024;

    /** A warmer call that can time out. */
    public enum Call implements dev.keepwarm.policy.Tagged {

        /** GET /api/ps of a reconcile pass. */
        PS,
        /** A ping. */
        PING

    }

    /**
     * Loads stopped completing while Ollama still answers: a ping waits longer than an
     * interval for a model that /api/ps does not list as loading (Ollama #17408, #14407:
     * a wedged scheduler).
     *
     * @param since when it was noticed
     * @param model the model whose load waits
     * @param waitingSince when that ping was sent
     */
    public record Stall(Instant since, String model, Instant waitingSince) {
    }

    private final Map<String, ModelState> models = new ConcurrentHashMap<>();

    private final Map<Call, java.util.concurrent.atomic.AtomicLong> timeouts = new java.util.EnumMap<>(Call.class);

    private volatile boolean upstreamUp;

    private volatile @Nullable Instant lastContact;

    private volatile @Nullable Stall stall;

    /** A load ping got no answer at all since the last load that completed. */
    private volatile boolean loadUnanswered;

    public WarmState() {
        for (Call call : Call.values()) {
            timeouts.put(call, new java.util.concurrent.atomic.AtomicLong());
        }
    }

    /** How many of the warmer's calls of this kind got no answer in time. */
    public long timeouts(Call call) {
        return timeouts.get(call).get();
    }

    /** The stall of Ollama's loads, when keepwarm sees one now. */
    public Optional<Stall> stall() {
        return Optional.ofNullable(stall);
    }

    /** The state of a model, by any spelling Ollama accepts. */
    public Optional<ModelState> model(String name) {
        return Optional.ofNullable(models.get(ModelName.normalize(name)));
    }

    /** Every model keepwarm has seen or warms. */
    public Collection<ModelState> models() {
        return List.copyOf(models.values());
    }

    /**
     * The models resident with keep_alive forever (pinned copies) and their size_vram in
     * all, counted without copying the map: routing asks for every request.
     */
    Pinned pinned() {
        int count = 0;
        long bytes = 0;
        for (ModelState state : models.values()) {
            if (state.resident() && state.residency().forever()) {
                count++;
                bytes += state.residency().sizeVram();
            }
        }
        return new Pinned(count, bytes);
    }

    /** How many pinned copies a host holds, and their size_vram. */
    record Pinned(int count, long bytes) {
    }

    /** Whether the last contact with Ollama succeeded. */
    public boolean upstreamUp() {
        return upstreamUp;
    }

    /** When Ollama last answered, or null. */
    public @Nullable Instant lastContact() {
        return lastContact;
    }

    ModelState update(String name, UnaryOperator<ModelState> change) {
        String key = ModelName.normalize(name);
        if (models.size() >= MAX_MODELS && !models.containsKey(key)) {
            makeRoom();
        }
        return models.compute(key, (k, old) -> change.apply(old == null ? ModelState.unknown(k) : old));
    }

    /**
     * Changes the state of a model keepwarm already knows; a model it does not know stays
     * unknown.
     */
    void updateIfKnown(String name, UnaryOperator<ModelState> change) {
        models.computeIfPresent(ModelName.normalize(name), (k, old) -> change.apply(old));
    }

    /** Forgets a model (Ollama does not have it). */
    void forget(String name) {
        models.remove(ModelName.normalize(name));
    }

    void timedOut(Call call) {
        timeouts.get(call).incrementAndGet();
    }

    void stalled(@Nullable Stall stall) {
        this.stall = stall;
    }

    /** A load completed: whatever stalled Ollama's loads is over. */
    void loadCompleted() {
        loadUnanswered = false;
        stall = null;
    }

    /** A ping that had to load its model got no answer before ping-timeout. */
    void loadUnanswered() {
        loadUnanswered = true;
    }

    /** Whether a load ping went unanswered since the last load that completed. */
    boolean loadsUnanswered() {
        return loadUnanswered;
    }

    /**
     * Ollama answered a ping of the model (success or an error of its own): a stall
     * waiting on it is over.
     */
    void answered(String name) {
        Stall current = stall;
        if (current != null && current.model().equals(ModelName.normalize(name))) {
            loadUnanswered = false;
            stall = null;
        }
    }

    /**
     * Forgets the tenth of the models that are not resident and were touched longest ago.
     */
    private synchronized void makeRoom() {
        if (models.size() < MAX_MODELS) {
            return;
        }
        models.values()
            .stream()
            .filter(s -> !s.resident())
            .sorted(java.util.Comparator.comparing(ModelState::lastActivity))
            .limit(Math.max(1, MAX_MODELS / 10))
            .map(ModelState::model)
            .toList()
            .forEach(models::remove);
    }

    /**
     * Applies an /api/ps answer: listed models are resident, every other known model is
     * not.
     */
    void observe(List<RunningModel> running, Instant now) {
        contact(true, now);
        Map<String, RunningModel> byName = running.stream()
            .collect(Collectors.toMap(m -> ModelName.normalize(m.name()), m -> m, (a, b) -> a));
        byName.forEach((name, m) -> update(name,
                s -> s.observed(true, m.expiresAt(), m.forever(now), m.sizeVram(), m.contextLength(), now)));
        Set<String> gone = models.keySet()
            .stream()
            .filter(name -> !byName.containsKey(name))
            .collect(Collectors.toSet());
        gone.forEach(name -> update(name, s -> s.unlisted(now)));
    }

    /** Ollama cannot be reached: nothing is known to be resident any more. */
    void lost(Instant now) {
        contact(false, now);
        models.keySet().forEach(name -> update(name, s -> s.unlisted(now)));
    }

    void contact(boolean up, Instant now) {
        upstreamUp = up;
        if (up) {
            lastContact = now;
        }
    }

}
