/**
 * The reverse proxy: a catch-all Reactor Netty route on Boot's server (Reactor Netty's
 * HTTP client toward Ollama; no WebFlux or WebClient on the request path) that asks the
 * {@link dev.keepwarm.proxy.ProxyGate} first, rewrites keep_alive and runner options on
 * Ollama's native generate, chat, embed and embeddings routes by policy, and streams
 * every request and response through unchanged otherwise, flushing NDJSON and SSE chunk
 * by chunk. What it needs of the warmer and the meters are its own interfaces,
 * {@link dev.keepwarm.proxy.ResidencyGuard}, {@link dev.keepwarm.proxy.HostRouter} and
 * {@link dev.keepwarm.proxy.ProxyObserver}. On a fleet, a request goes to the host its
 * model is routed to, and the routes about the whole fleet ({@code FleetRoutes}) answer
 * for every healthy host: aggregates, fan-outs, a blob upload streamed to all.
 */
@NullMarked
package dev.keepwarm.proxy;

import org.jspecify.annotations.NullMarked;
