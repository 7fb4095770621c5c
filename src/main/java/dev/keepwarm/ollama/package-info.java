/**
 * Ollama itself: where it is ({@code keepwarm.upstream}), the shared connection pool, and
 * a typed client for the calls the warmer makes (/api/ps, load pings, /api/show) behind a
 * Resilience4j retry and circuit breaker.
 */
@NullMarked
package dev.keepwarm.ollama;

import org.jspecify.annotations.NullMarked;
