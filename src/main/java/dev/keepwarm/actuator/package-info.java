/**
 * What keepwarm shows on the management port: the {@code keepwarm} actuator endpoint
 * (live state, reconcile, ping) and the {@code keepwarm} and {@code ollama} health
 * contributors.
 */
@NullMarked
package dev.keepwarm.actuator;

import org.jspecify.annotations.NullMarked;
