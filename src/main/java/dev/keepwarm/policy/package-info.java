/**
 * What keep_alive a request gets: the {@code keepwarm.policy} properties records, Ollama-style model name
 * matching, keep-alive parsing (Go durations, seconds, forever) and the pure keep_alive decision. Depends on
 * nothing from the proxy or Spring web.
 */
@NullMarked
package dev.keepwarm.policy;

import org.jspecify.annotations.NullMarked;
