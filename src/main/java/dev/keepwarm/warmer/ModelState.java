package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What keepwarm knows about one model: its residency (from Ollama's /api/ps, or a ping
 * that confirmed it), the warmer's last ping, and thrash detection. Immutable;
 * {@link WarmState} swaps whole values.
 *
 * @param model normalised name (llama3.2:latest)
 * @param residency whether and how the model is loaded
 * @param lastPing the warmer's pings of it
 * @param thrash whether its pings back off
 * @param conflict a configuration conflict keepwarm cannot resolve (e.g. /v1 traffic to a
 * model whose rule sets options)
 */
public record ModelState(String model, Residency residency, LastPing lastPing, Thrash thrash,
        @Nullable String conflict) {

    /**
     * Whether and how the model is loaded.
     *
     * @param resident listed by the last /api/ps, or confirmed by a ping since
     * @param expiresAt Ollama's expiry from /api/ps, null when unknown
     * @param forever whether that expiry is more than 20 years ahead
     * @param sizeVram bytes in GPU memory
     * @param contextLength the runner's context length
     * @param confirmedAt when residency was last confirmed (by /api/ps or a ping)
     */
    public record Residency(boolean resident, @Nullable Instant expiresAt, boolean forever, long sizeVram,
            int contextLength, @Nullable Instant confirmedAt) {

        static final Residency UNKNOWN = new Residency(false, null, false, 0, 0, null);

    }

    /**
     * The warmer's pings of the model.
     *
     * @param at when the warmer last pinged it
     * @param outcome how that ping ended
     * @param lastLoad how long the last load the warmer caused took
     * @param loads loads the warmer caused
     */
    public record LastPing(@Nullable Instant at, @Nullable PingOutcome outcome, @Nullable Duration lastLoad,
            int loads) {

        static final LastPing NONE = new LastPing(null, null, null, 0);

    }

    /**
     * @param thrashing re-loaded too often within the thrash window
     * @param backoffUntil no ping before this instant (thrashing)
     */
    public record Thrash(boolean thrashing, @Nullable Instant backoffUntil) {

        static final Thrash NONE = new Thrash(false, null);

    }

    /** A model nothing is known of yet. */
    public static ModelState unknown(String model) {
        return new ModelState(model, Residency.UNKNOWN, LastPing.NONE, Thrash.NONE, null);
    }

    /** Whether the model is loaded now, as far as keepwarm knows. */
    public boolean resident() {
        return residency.resident();
    }

    /** Whether the model is re-loaded too often and its pings back off. */
    public boolean thrashing() {
        return thrash.thrashing();
    }

    /** What /api/ps said at {@code now}. */
    ModelState observed(boolean resident, @Nullable Instant expiresAt, boolean forever, long sizeVram,
            int contextLength, Instant now) {
        return new ModelState(model, new Residency(resident, expiresAt, forever, sizeVram, contextLength,
                resident ? now : residency.confirmedAt()), lastPing, thrash, conflict);
    }

    /** What /api/ps said of a model it did not list. */
    ModelState unlisted(Instant now) {
        return observed(false, null, false, 0, residency.contextLength(), now);
    }

    ModelState pinged(PingOutcome outcome, Instant now, @Nullable Duration load, boolean pinnedForever) {
        Residency r = residency;
        Residency after = outcome == PingOutcome.LOADED
                ? new Residency(true, null, pinnedForever, r.sizeVram(), r.contextLength(), now) : r;
        LastPing ping = new LastPing(now, outcome, load != null ? load : lastPing.lastLoad(),
                load != null ? lastPing.loads() + 1 : lastPing.loads());
        return new ModelState(model, after, ping, thrash, conflict);
    }

    ModelState skipped(Instant now) {
        return new ModelState(model, residency,
                new LastPing(now, PingOutcome.SKIPPED, lastPing.lastLoad(), lastPing.loads()), thrash, conflict);
    }

    ModelState thrash(boolean thrashing, @Nullable Instant backoffUntil) {
        return new ModelState(model, residency, lastPing, new Thrash(thrashing, backoffUntil), conflict);
    }

    ModelState withConflict(@Nullable String conflict) {
        return new ModelState(model, residency, lastPing, thrash, conflict);
    }

    /** The last time anything was learnt of the model (EPOCH when nothing was). */
    Instant lastActivity() {
        Instant latest = Instant.EPOCH;
        if (residency.confirmedAt() != null && residency.confirmedAt().isAfter(latest)) {
            latest = residency.confirmedAt();
        }
        if (lastPing.at() != null && lastPing.at().isAfter(latest)) {
            latest = lastPing.at();
        }
        return latest;
    }

    /** Whether residency was confirmed no longer ago than {@code freshness}. */
    boolean confirmedWithin(Duration freshness, Instant now) {
        Instant confirmed = residency.confirmedAt();
        return residency.resident() && confirmed != null && !confirmed.isBefore(now.minus(freshness));
    }
}
