package dev.keepwarm.fake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The model registry one fake Ollama pulls from and pushes to (registry.ollama.ai, as far
 * as that fake can tell). A pull of a model the registry does not know fails as Ollama's
 * does: {@code pull model manifest: file does not exist}. Starts empty.
 *
 * <pre>{@code
 * FakeOllama ollama = FakeOllama.start().modelManagement(true);
 * ollama.registry().add("llama3.2").pullTime(Duration.ofSeconds(2));
 * }</pre>
 */
public final class Registry {

    private final Map<String, ModelSpec> models = new LinkedHashMap<>();

    private volatile Duration pullTime = Duration.ZERO;

    Registry() {
    }

    /**
     * The registry offers a completion model with the defaults of {@link ModelSpec#of}.
     */
    public Registry add(String name) {
        return add(ModelSpec.of(name));
    }

    /**
     * The registry offers this model (replacing one of the same name); a pull adds this
     * spec to the fake's models.
     */
    public synchronized Registry add(ModelSpec spec) {
        models.put(ModelNames.key(Objects.requireNonNull(spec, "spec").name()), spec);
        return this;
    }

    /** The registry no longer offers {@code name}. */
    public synchronized Registry remove(String name) {
        models.remove(ModelNames.key(Objects.requireNonNull(name, "name")));
        return this;
    }

    /** Whether the registry offers {@code name} (pushed models included). */
    public boolean has(String name) {
        return find(name).isPresent();
    }

    /** The models the registry offers, in the order they were added. */
    public synchronized List<ModelSpec> models() {
        return new ArrayList<>(models.values());
    }

    /**
     * How long one pull takes from its first progress line to {@code success}, spread
     * evenly over its lines (default zero). A real, non-blocking delay.
     */
    public Registry pullTime(Duration time) {
        if (Objects.requireNonNull(time, "time").isNegative()) {
            throw new IllegalArgumentException("pullTime must not be negative: " + time);
        }
        this.pullTime = time;
        return this;
    }

    Duration pullTime() {
        return pullTime;
    }

    synchronized Optional<ModelSpec> find(String name) {
        return Optional.ofNullable(models.get(ModelNames.key(name)));
    }

}
