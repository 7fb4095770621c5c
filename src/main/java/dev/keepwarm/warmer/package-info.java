/**
 * The warmer: a reconcile loop that reads Ollama's /api/ps and pings the models whose
 * rule says {@code warm: true} when they are missing or not pinned as the rule wants, the
 * one shared state of what is resident, thrash detection with back-off, the /v1 residency
 * guard and finishing loads that clients abandoned: one such warmer per Ollama host, run
 * together by {@link dev.keepwarm.warmer.FleetWarmer}, which on a fleet places the warm
 * rules across the hosts each pass and tells the proxy where a model is warm.
 */
@NullMarked
package dev.keepwarm.warmer;

import org.jspecify.annotations.NullMarked;
