/**
 * The reverse proxy: a catch-all Reactor Netty route on Boot's server (Reactor Netty's
 * HTTP client toward Ollama; no WebFlux or WebClient on the request path) that asks the
 * {@link dev.keepwarm.proxy.ProxyGate} first, rewrites keep_alive and runner options on
 * Ollama's native generate, chat, embed and embeddings routes by policy, and streams
 * every request and response through unchanged otherwise, flushing NDJSON and SSE chunk
 * by chunk. What it needs of the warmer and the meters are its own interfaces,
 * {@link dev.keepwarm.proxy.ResidencyGuard} and {@link dev.keepwarm.proxy.ProxyObserver}.
 * {@code FanOutStream} (not wired in yet) merges several hosts' NDJSON answers into one
 * for the fleet's fan-out routes.
 */
@NullMarked
package dev.keepwarm.proxy;

import org.jspecify.annotations.NullMarked;
