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
 * The one place that knows which models are resident and how the warmer's pings went; the proxy, the metrics
 * and the actuator endpoint read it. Thread-safe: each model's state is an immutable value swapped atomically.
 */
public final class WarmState {

    private final Map<String, ModelState> models = new ConcurrentHashMap<>();
    private volatile boolean upstreamUp;
    private volatile @Nullable Instant lastContact;

    /** The state of a model, by any spelling Ollama accepts. */
    public Optional<ModelState> model(String name) {
        return Optional.ofNullable(models.get(ModelName.normalize(name)));
    }

    /** Every model keepwarm has seen or warms. */
    public Collection<ModelState> models() {
        return List.copyOf(models.values());
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
        return models.compute(ModelName.normalize(name),
                (key, old) -> change.apply(old == null ? ModelState.unknown(key) : old));
    }

    /** Applies an /api/ps answer: listed models are resident, every other known model is not. */
    void observe(List<RunningModel> running, Instant now) {
        contact(true, now);
        Map<String, RunningModel> byName = running.stream()
                .collect(Collectors.toMap(m -> ModelName.normalize(m.name()), m -> m, (a, b) -> a));
        byName.forEach((name, m) -> update(name,
                s -> s.observed(true, m.expiresAt(), m.forever(now), m.sizeVram(), m.contextLength(), now)));
        Set<String> gone = models.keySet().stream().filter(name -> !byName.containsKey(name)).collect(Collectors.toSet());
        gone.forEach(name -> update(name, s -> s.observed(false, null, false, 0, s.contextLength(), now)));
    }

    /** Ollama cannot be reached: nothing is known to be resident any more. */
    void lost(Instant now) {
        contact(false, now);
        models.keySet().forEach(name -> update(name, s -> s.observed(false, null, false, 0, s.contextLength(), now)));
    }

    void contact(boolean up, Instant now) {
        upstreamUp = up;
        if (up) {
            lastContact = now;
        }
    }
}
