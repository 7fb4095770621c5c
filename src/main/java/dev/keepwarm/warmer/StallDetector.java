package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.keepwarm.ollama.RunningModel;
import dev.keepwarm.policy.ModelName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when Ollama's loads stop completing while Ollama still answers: a ping that has
 * waited longer than one interval for a model /api/ps does not list (a model being loaded
 * is listed at once, OLLAMA-API.md "Since v0.33"). That is the wedged scheduler of Ollama
 * #17408 and #14407, which keepwarm cannot fix but must report, and must not feed: while
 * it lasts, at most one ping is out at a time and the next one waits twice as long as the
 * one before. A load that completes ends it ({@link WarmState#loadCompleted()}), and so
 * does an answer from Ollama to the ping that was waiting (an error such as 404 too: the
 * scheduler answered). Waiting is measured in real time.
 *
 * <p>
 * A load queued behind another long load (a 70B model a user asked for) looks the same
 * for as long as that load takes; the report says "looks wedged" for that reason.
 */
final class StallDetector {

    private static final Logger log = LoggerFactory.getLogger(StallDetector.class);

    private final WarmState state;

    private final Duration interval;

    private int probes;

    private long nextProbeNanos = System.nanoTime();

    StallDetector(WarmState state, Duration interval) {
        this.state = state;
        this.interval = interval;
    }

    /** Updates the stall from this pass's /api/ps and the pings under way. */
    synchronized void check(List<RunningModel> running, List<Pings.InFlight> inFlight, Instant now) {
        Set<String> listed = running.stream().map(m -> ModelName.normalize(m.name())).collect(Collectors.toSet());
        Optional<Pings.InFlight> waiting = inFlight.stream()
            .filter(ping -> !listed.contains(ping.model()))
            .filter(ping -> ping.waited().compareTo(interval) >= 0)
            .min(java.util.Comparator.comparingLong(Pings.InFlight::startedNanos));
        Optional<WarmState.Stall> stall = state.stall();
        if (waiting.isPresent() && stall.isEmpty()) {
            Pings.InFlight ping = waiting.get();
            state.stalled(new WarmState.Stall(now, ping.model(), ping.started()));
            probes = 0;
            nextProbeNanos = System.nanoTime();
            log.warn("Ollama's loads do not complete: the ping of {} has waited {} s and /api/ps does not list it as "
                    + "loading, while Ollama still answers. Its scheduler looks wedged (ollama/ollama#17408, #14407); "
                    + "keepwarm cannot fix that: restart Ollama. keepwarm sends no new pings until a load completes.",
                    ping.model(), ping.waited().toSeconds());
        }
        else if (waiting.isEmpty() && stall.isPresent() && !state.loadsUnanswered()) {
            state.stalled(null); // the waiting ping got its answer, and no load went
                                 // unanswered
            log.info("Ollama's loads complete again; keepwarm pings as usual");
        }
        else if (stall.isEmpty()) {
            probes = 0;
        }
    }

    /**
     * The part of a plan that may be sent now: all of it, or during a stall one probe at
     * a time, backing off.
     */
    synchronized List<Reconciler.Target> admit(List<Reconciler.Target> plan, int pingsUnderWay, Instant now) {
        if (state.stall().isEmpty() || plan.isEmpty()) {
            return plan;
        }
        // verification pings of loaded models would succeed in a wedge and prove nothing:
        // only a load can probe
        List<Reconciler.Target> loads = plan.stream().filter(t -> t.purpose() == PingPurpose.WARM).toList();
        if (loads.isEmpty() || pingsUnderWay > 0 || System.nanoTime() - nextProbeNanos < 0) {
            return List.of();
        }
        nextProbeNanos = System.nanoTime() + interval.multipliedBy(1L << Math.min(probes, 16)).toNanos();
        probes++;
        return loads.subList(0, 1);
    }

    /**
     * Whether keepwarm should hold back pings nobody waits for (the /v1 guard, finishing
     * an abandoned load, verification).
     */
    boolean stalled() {
        return state.stall().isPresent();
    }

}
