/**
 * keepwarm's Micrometer meters: load latency and cold starts read from the final object
 * of Ollama's answers as they stream past, request and first-chunk timers, token rates,
 * keep_alive decisions, warmer pings, and gauges of the warmer's state. The {@code model}
 * tag is bounded.
 */
@NullMarked
package dev.keepwarm.metrics;

import org.jspecify.annotations.NullMarked;
