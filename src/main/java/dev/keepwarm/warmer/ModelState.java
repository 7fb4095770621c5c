package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What keepwarm knows about one model: from Ollama's /api/ps, the warmer's pings and thrash detection.
 * Immutable; {@link WarmState} swaps whole values.
 *
 * @param model normalised name (llama3.2:latest)
 * @param resident listed by the last /api/ps, or confirmed by a ping since
 * @param expiresAt Ollama's expiry from /api/ps, null when unknown
 * @param forever whether that expiry is more than 20 years ahead
 * @param sizeVram bytes in GPU memory
 * @param contextLength the runner's context length
 * @param confirmedAt when residency was last confirmed (by /api/ps or a ping)
 * @param lastPingAt when the warmer last pinged it
 * @param lastPingOutcome how that ping ended
 * @param lastLoad how long the last load the warmer caused took
 * @param loads loads the warmer caused
 * @param thrashing re-loaded too often within the thrash window
 * @param backoffUntil no ping before this instant (thrashing)
 * @param conflict a configuration conflict keepwarm cannot resolve (e.g. /v1 traffic to a model whose rule sets options)
 */
public record ModelState(
        String model,
        boolean resident,
        @Nullable Instant expiresAt,
        boolean forever,
        long sizeVram,
        int contextLength,
        @Nullable Instant confirmedAt,
        @Nullable Instant lastPingAt,
        @Nullable PingOutcome lastPingOutcome,
        @Nullable Duration lastLoad,
        int loads,
        boolean thrashing,
        @Nullable Instant backoffUntil,
        @Nullable String conflict) {

    static ModelState unknown(String model) {
        return new ModelState(model, false, null, false, 0, 0, null, null, null, null, 0, false, null, null);
    }

    ModelState observed(boolean resident, @Nullable Instant expiresAt, boolean forever, long sizeVram,
            int contextLength, Instant now) {
        return new ModelState(model, resident, expiresAt, forever, sizeVram, contextLength,
                resident ? now : confirmedAt, lastPingAt, lastPingOutcome, lastLoad, loads, thrashing, backoffUntil,
                conflict);
    }

    ModelState pinged(PingOutcome outcome, Instant now, @Nullable Duration load, boolean pinnedForever) {
        boolean ok = outcome == PingOutcome.LOADED;
        return new ModelState(model, ok || resident, ok ? null : expiresAt, ok ? pinnedForever : forever, sizeVram,
                contextLength, ok ? now : confirmedAt, now, outcome, load != null ? load : lastLoad,
                load != null ? loads + 1 : loads, thrashing, backoffUntil, conflict);
    }

    ModelState skipped(Instant now) {
        return new ModelState(model, resident, expiresAt, forever, sizeVram, contextLength, confirmedAt, now,
                PingOutcome.SKIPPED, lastLoad, loads, thrashing, backoffUntil, conflict);
    }

    ModelState thrash(boolean thrashing, @Nullable Instant backoffUntil) {
        return new ModelState(model, resident, expiresAt, forever, sizeVram, contextLength, confirmedAt, lastPingAt,
                lastPingOutcome, lastLoad, loads, thrashing, backoffUntil, conflict);
    }

    ModelState withConflict(@Nullable String conflict) {
        return new ModelState(model, resident, expiresAt, forever, sizeVram, contextLength, confirmedAt, lastPingAt,
                lastPingOutcome, lastLoad, loads, thrashing, backoffUntil, conflict);
    }

    /** The last time anything was learnt of the model (EPOCH when nothing was). */
    Instant lastActivity() {
        Instant latest = Instant.EPOCH;
        if (confirmedAt != null && confirmedAt.isAfter(latest)) {
            latest = confirmedAt;
        }
        if (lastPingAt != null && lastPingAt.isAfter(latest)) {
            latest = lastPingAt;
        }
        return latest;
    }

    /** Whether residency was confirmed no longer ago than {@code freshness}. */
    boolean confirmedWithin(Duration freshness, Instant now) {
        return resident && confirmedAt != null && !confirmedAt.isBefore(now.minus(freshness));
    }
}
