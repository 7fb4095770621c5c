package dev.keepwarm.fake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models the fake "has pulled", found by name the way Ollama finds them. */
final class ModelCatalog {

    private final Map<String, ModelSpec> models = new LinkedHashMap<>();

    synchronized void add(ModelSpec spec) {
        models.put(ModelNames.key(spec.name()), spec);
    }

    synchronized Optional<ModelSpec> find(String name) {
        return Optional.ofNullable(models.get(ModelNames.key(name)));
    }

    /** Forgets the model named {@code name}; returns what was removed. */
    synchronized Optional<ModelSpec> remove(String name) {
        return Optional.ofNullable(models.remove(ModelNames.key(name)));
    }

    synchronized List<ModelSpec> all() {
        return new ArrayList<>(models.values());
    }

}
