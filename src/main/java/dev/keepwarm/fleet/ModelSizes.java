package dev.keepwarm.fleet;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import dev.keepwarm.policy.ModelName;

/**
 * Model names and their sizes in bytes on one host: its catalogue ({@code size} from
 * /api/tags) or what runs there now ({@code size_vram} from /api/ps). Names are held
 * {@link ModelName#normalize normalized} (issue 13 compares models as Ollama does), in
 * name order; two names that normalize alike keep the larger size.
 *
 * @param bytes normalized model name to size in bytes, never negative
 */
public record ModelSizes(Map<String, Long> bytes) {

    /** No models. */
    public static final ModelSizes NONE = new ModelSizes(Map.of());

    public ModelSizes {
        Map<String, Long> normalized = new TreeMap<>();
        bytes.forEach((model, size) -> {
            if (size < 0) {
                throw new IllegalArgumentException("size of " + model + " must not be negative, not " + size);
            }
            normalized.merge(ModelName.normalize(model), size, Math::max);
        });
        bytes = Collections.unmodifiableMap(normalized);
    }

    /** Whether the model is listed. */
    public boolean has(String model) {
        return this.bytes.containsKey(ModelName.normalize(model));
    }

    /** The model's size, empty when it is not listed. */
    public OptionalLong size(String model) {
        Long size = this.bytes.get(ModelName.normalize(model));
        return (size != null) ? OptionalLong.of(size) : OptionalLong.empty();
    }

}
