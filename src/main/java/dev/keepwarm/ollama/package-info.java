/**
 * Ollama itself: where it is ({@code keepwarm.upstream}: one host, or a fleet of
 * configured and DNS-discovered hosts, {@link dev.keepwarm.ollama.OllamaHosts}), the
 * shared connection pool, and per host a typed client for the calls the warmer makes
 * (/api/ps, /api/tags, load pings, /api/show) behind a Resilience4j retry and the host's
 * circuit breaker.
 */
@NullMarked
package dev.keepwarm.ollama;

import org.jspecify.annotations.NullMarked;
