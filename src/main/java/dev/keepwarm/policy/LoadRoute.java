package dev.keepwarm.policy;

/**
 * The route the warmer loads a model with (a rule's {@code kind}): embedding-only models
 * answer an empty generate with 400 and are loaded with an empty /api/embed instead
 * (OLLAMA-API.md, "Load-only and unload requests").
 */
public enum LoadRoute {

    /**
     * Not configured: the warmer asks Ollama once (/api/show) and remembers the answer.
     */
    AUTO,
    /** A model that generates text: loaded with an empty /api/generate. */
    GENERATE,
    /** An embedding-only model: loaded with an empty /api/embed. */
    EMBEDDING

}
