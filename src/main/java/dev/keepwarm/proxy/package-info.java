/**
 * The reverse proxy: a catch-all handler that rewrites keep_alive and runner options on Ollama's native
 * generate, chat, embed and embeddings routes by policy, and streams every request and response through
 * unchanged otherwise, flushing NDJSON and SSE chunk by chunk.
 */
@NullMarked
package dev.keepwarm.proxy;

import org.jspecify.annotations.NullMarked;
