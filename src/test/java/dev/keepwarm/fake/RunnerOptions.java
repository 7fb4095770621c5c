package dev.keepwarm.fake;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request options that shape a runner; a request whose options differ from the loaded runner's forces a
 * reload (OLLAMA-API.md, "Loads that throw a pinned model out"). Unset options take Ollama's defaults, so sending a
 * default explicitly is the same as not sending it.
 */
record RunnerOptions(long numCtx, long numBatch, long numGpu, long mainGpu, long numThread, Boolean useMmap) {

    /** What a request without options gets, e.g. every /v1 request (Ollama drops options there). */
    static RunnerOptions defaults(ModelSpec spec) {
        return new RunnerOptions(spec.defaultContextLength(), 512, -1, 0, 0, null);
    }

    /**
     * The runner options of a request's {@code options} object (may be null).
     *
     * @throws ApiError 500 {@code option "num_ctx" must be of type integer}, as Ollama's scheduleRunner answers
     */
    static RunnerOptions from(ObjectNode options, ModelSpec spec) {
        RunnerOptions d = defaults(spec);
        if (options == null) {
            return d;
        }
        return new RunnerOptions(
                integer(options, "num_ctx", d.numCtx),
                integer(options, "num_batch", d.numBatch),
                integer(options, "num_gpu", d.numGpu),
                integer(options, "main_gpu", d.mainGpu),
                integer(options, "num_thread", d.numThread),
                bool(options, "use_mmap", d.useMmap));
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
