package dev.keepwarm.actuator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.keepwarm.warmer.ModelState;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /actuator/keepwarm} answers: Ollama, the rules, and every model
 * keepwarm knows; on a fleet also every host and the placement of the warm rules.
 *
 * @param upstream Ollama as keepwarm sees it (on a fleet: the fleet as a whole)
 * @param rules the configured rules, in order
 * @param models every model warmed or seen in /api/ps (on a fleet: once, as on its first
 * host that has it loaded)
 * @param hosts on a fleet, every host; absent with one Ollama
 * @param placement on a fleet, where each warm rule is kept warm; absent with one Ollama
 * @param adaptive adaptive mode's learned models and pre-warms; absent while no policy is
 * in mode adaptive and nothing was learned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeepwarmReport(Upstream upstream, List<Rule> rules, List<Model> models, @Nullable List<Host> hosts,
        @Nullable List<Placed> placement, @Nullable Adaptive adaptive) {

    /** The report of a single-host keepwarm. */
    public KeepwarmReport(Upstream upstream, List<Rule> rules, List<Model> models) {
        this(upstream, rules, models, null, null, null);
    }

    /** This report with adaptive mode's part (null leaves it out). */
    KeepwarmReport withAdaptive(@Nullable Adaptive adaptive) {
        return new KeepwarmReport(upstream, rules, models, hosts, placement, adaptive);
    }

    /**
     * Adaptive mode: what it learned and plans; shown once a policy is in mode adaptive
     * or a model was learned.
     *
     * @param prewarms planned pre-warms by outcome so far: hit, miss, late, failed
     * @param models every model learned, by name
     */
    public record Adaptive(java.util.Map<String, Long> prewarms, List<AdaptiveModel> models) {
    }

    /**
     * One model adaptive mode learned.
     *
     * @param model normalised name
     * @param samples idle times recorded (between the end of a request and the start of
     * the next)
     * @param p5 the prewarm-percentile idle time in seconds (the upper edge of its bin),
     * null before any in bounds; named p5 for the default percentile
     * @param p50 the median idle time in seconds, likewise
     * @param p99 the keep-alive-percentile idle time in seconds, likewise
     * @param outOfBoundsShare the share of idle times beyond range
     * @param keepAlive the keep_alive it sends now (the last one sent), null before any
     * @param reason why: learning, histogram, forecast or budget
     * @param nextPrewarm when the next pre-warm loads the model, null for none
     * @param prewarmHoldSeconds how long that pre-warm holds it
     * @param loadSeconds the last pre-warm's load time
     * @param inFlight requests under way
     * @param lastEnd when its last request ended
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AdaptiveModel(String model, long samples, @Nullable Double p5, @Nullable Double p50,
            @Nullable Double p99, double outOfBoundsShare, @Nullable String keepAlive, @Nullable String reason,
            @Nullable Instant nextPrewarm, @Nullable Double prewarmHoldSeconds, double loadSeconds, int inFlight,
            @Nullable Instant lastEnd) {
    }

    /**
     * One host of a fleet.
     *
     * @param name the host's name
     * @param url its URL
     * @param up whether its last /api/ps answered
     * @param routed whether requests and placement use it now (up, breaker closed)
     * @param version its Ollama version, null when it did not answer
     * @param lastContact when it last answered
     * @param circuitBreaker the state of its breaker
     * @param models its models, as keepwarm knows them
     */
    public record Host(String name, String url, boolean up, boolean routed, @Nullable String version,
            @Nullable Instant lastContact, String circuitBreaker, List<Model> models) {
    }

    /**
     * One warm rule's placement.
     *
     * @param model the model
     * @param wanted copies wanted
     * @param hosts the hosts placement chose
     * @param warm the healthy hosts where it is loaded now
     * @param missing why wanted copies have no host
     */
    public record Placed(String model, int wanted, List<String> hosts, List<String> warm, List<String> missing) {
    }

    /**
     * @param url Ollama's URL
     * @param up whether the last contact succeeded
     * @param version Ollama's version, null when it did not answer
     * @param lastContact when Ollama last answered
     * @param circuitBreaker state of the breaker around the warmer's calls
     */
    public record Upstream(String url, boolean up, @Nullable String version, @Nullable Instant lastContact,
            String circuitBreaker) {
    }

    /**
     * @param match the rule's match
     * @param keepAlive its keep-alive as sent ({@code -1} for forever), null when it has
     * none
     * @param mode override, fill or clamp
     * @param warm whether the warmer keeps it loaded now (warm and, with a schedule,
     * inside a window)
     * @param scheduleActive whether its schedule has a window open now; null without a
     * schedule
     */
    public record Rule(String match, @Nullable String keepAlive, String mode, boolean warm,
            @Nullable Boolean scheduleActive) {
    }

    /**
     * @param model normalised name
     * @param resident loaded now, as far as keepwarm knows
     * @param expiresAt Ollama's expiry, null when unknown
     * @param forever pinned forever
     * @param sizeVram bytes in GPU memory
     * @param contextLength the runner's context length
     * @param lastPingAt the warmer's last ping
     * @param lastPingOutcome loaded, failed or skipped
     * @param lastLoadSeconds how long the last load the warmer caused took
     * @param coldStarts client requests that paid a cold load since start
     * @param thrashing re-loaded too often, pings backing off
     * @param backoffUntil no ping before this
     * @param conflict a configuration conflict keepwarm cannot resolve
     */
    public record Model(String model, boolean resident, @Nullable Instant expiresAt, boolean forever, long sizeVram,
            int contextLength, @Nullable Instant lastPingAt, @Nullable String lastPingOutcome,
            @Nullable Double lastLoadSeconds, long coldStarts, boolean thrashing, @Nullable Instant backoffUntil,
            @Nullable String conflict) {

        /**
         * The report of a model's state; the JSON stays flat (residency, last ping and
         * thrash side by side).
         */
        static Model of(ModelState state, long coldStarts) {
            ModelState.Residency residency = state.residency();
            ModelState.LastPing ping = state.lastPing();
            Duration lastLoad = ping.lastLoad();
            return new Model(state.model(), residency.resident(), residency.expiresAt(), residency.forever(),
                    residency.sizeVram(), residency.contextLength(), ping.at(),
                    ping.outcome() == null ? null : ping.outcome().tag(),
                    lastLoad == null ? null : lastLoad.toMillis() / 1000.0, coldStarts, state.thrashing(),
                    state.thrash().backoffUntil(), state.conflict());
        }
    }
}
