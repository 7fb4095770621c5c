package dev.keepwarm.fake;

import tools.jackson.databind.node.ObjectNode;

/** Ollama's metrics of one generation; every duration in nanoseconds. */
record Timings(long totalNanos, long loadNanos, int promptEvalCount, long promptEvalNanos, int evalCount,
        long evalNanos) {

    /** Adds the metrics fields in Ollama's order. */
    ObjectNode putInto(ObjectNode response) {
        return response.put("total_duration", totalNanos)
            .put("load_duration", loadNanos)
            .put("prompt_eval_count", promptEvalCount)
            .put("prompt_eval_duration", promptEvalNanos)
            .put("eval_count", evalCount)
            .put("eval_duration", evalNanos);
    }
}
