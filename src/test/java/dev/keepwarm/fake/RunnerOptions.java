package dev.keepwarm.fake;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What shapes a runner; a request whose runner options differ from the loaded runner's
 * forces a reload (OLLAMA-API.md, "Loads that throw a pinned model out"), and so does
 * another context-shift setting: the top-level {@code shift} field is compared by
 * {@code needsReload} since Ollama 0.33 ("Since v0.33"). Unset options take Ollama's
 * defaults, so sending a default explicitly is the same as not sending it, except for the
 * context under automatic context ({@code OLLAMA_CONTEXT_LENGTH=0}): there a runner
 * loaded without {@code num_ctx} has {@link #AUTOMATIC} context, which no explicit
 * {@code num_ctx} equals.
 */
record RunnerOptions(long numCtx, long numBatch, long numGpu, long mainGpu, long numThread, Boolean useMmap,
        boolean shift) {

    /** numCtx of a runner that Ollama sized itself (automatic context). */
    static final long AUTOMATIC = 0;

    /**
     * What a request without options gets, e.g. every /v1 request (Ollama drops options
     * there).
     */
    static RunnerOptions defaults(ModelSpec spec) {
        return defaults(spec, false);
    }

    /**
     * What a request without options gets, with or without Ollama's automatic context.
     */
    static RunnerOptions defaults(ModelSpec spec, boolean automaticContext) {
        return new RunnerOptions(automaticContext ? AUTOMATIC : spec.defaultContextLength(), 512, -1, 0, 0, null, true);
    }

    /**
     * The context length the runner really has: the model's default when Ollama chose it.
     */
    int contextLength(ModelSpec spec) {
        return numCtx == AUTOMATIC ? spec.defaultContextLength() : Math.toIntExact(numCtx);
    }

    /**
     * These options with the request's top-level {@code shift} (null: Ollama's default,
     * true).
     */
    RunnerOptions withShift(Boolean requested) {
        boolean value = requested == null || requested;
        return new RunnerOptions(numCtx, numBatch, numGpu, mainGpu, numThread, useMmap, value);
    }

    /**
     * The runner options of a request's {@code options} object (may be null).
     * @throws ApiError 500 {@code option "num_ctx" must be of type integer}, as Ollama's
     * scheduleRunner answers
     */
    static RunnerOptions from(ObjectNode options, ModelSpec spec) {
        return from(options, spec, false);
    }

    /**
     * As {@link #from(ObjectNode, ModelSpec)}, with or without Ollama's automatic
     * context.
     */
    static RunnerOptions from(ObjectNode options, ModelSpec spec, boolean automaticContext) {
        RunnerOptions d = defaults(spec, automaticContext);
        if (options == null) {
            return d;
        }
        return new RunnerOptions(integer(options, "num_ctx", d.numCtx), integer(options, "num_batch", d.numBatch),
                integer(options, "num_gpu", d.numGpu), integer(options, "main_gpu", d.mainGpu),
                integer(options, "num_thread", d.numThread), bool(options, "use_mmap", d.useMmap), true);
    }

    private static long integer(ObjectNode options, String key, long fallback) {
        JsonNode value = options.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw new ApiError(500, "option \"" + key + "\" must be of type integer");
        }
        return (long) value.doubleValue();
    }

    private static Boolean bool(ObjectNode options, String key, Boolean fallback) {
        JsonNode value = options.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new ApiError(500, "option \"" + key + "\" must be of type boolean");
        }
        return value.booleanValue();
    }
}
