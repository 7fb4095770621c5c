/**
 * What keep_alive a request gets: the {@code keepwarm.policy} properties records,
 * Ollama-style model name matching, keep-alive parsing (Go durations, seconds, forever),
 * schedules that limit a rule to time windows, the pure keep_alive decision, and the
 * {@link dev.keepwarm.policy.PolicySource} everyone reads the policies in effect from,
 * reloaded from {@code keepwarm.policy-file} when that changes. Depends on nothing from
 * the proxy or Spring web.
 */
@NullMarked
package dev.keepwarm.policy;

import org.jspecify.annotations.NullMarked;
