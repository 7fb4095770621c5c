/**
 * The warmer: a reconcile loop that reads Ollama's /api/ps and pings the models whose
 * rule says {@code warm: true} when they are missing or not pinned as the rule wants, the
 * one shared state of what is resident, thrash detection with back-off, the /v1 residency
 * guard and finishing loads that clients abandoned.
 */
@NullMarked
package dev.keepwarm.warmer;

import org.jspecify.annotations.NullMarked;
