package dev.keepwarm.policy;

import java.time.Instant;
import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * A per-model policy under {@code keepwarm.policy.models}; the first rule whose match
 * fits a model wins.
 *
 * @param match exact model name (":latest" implied when no tag) or a glob with * and ?;
 * case-insensitive, like Ollama's names. A glob without a tag matches every tag.
 * @param keepAlive keep-alive to apply: a Go duration ("30m", "1h30m", "90s"), plain
 * seconds (300), "forever" or -1, or 0. Required with modes override and clamp; omitted
 * in mode fill, the client's value (or Ollama's default) stands
 * @param mode override (always the rule's value), fill (the client's value when present,
 * else the rule's), clamp (the client's value, or the rule's when absent, clamped into
 * [min, max]) or adaptive (learned from the model's idle times, see keepwarm.adaptive;
 * the rule's keep-alive while learning)
 * @param min lower bound of the keep-alive in clamp mode; in adaptive mode, of the
 * learned keep-alive (default keepwarm.adaptive.bin)
 * @param max upper bound of the keep-alive in clamp mode, where forever is allowed; in
 * adaptive mode, of the learned keep-alive (default keepwarm.adaptive.range)
 * @param warm whether the warmer keeps this model loaded (used by the warmer)
 * @param allowUnload whether a client may unload this model (keep_alive 0 with an empty
 * prompt); false answers such requests 409 and never forwards a keep_alive of 0 for this
 * model
 * @param options runner options (such as num_ctx) added to a request's options where the
 * request lacks the key; numbers and booleans are sent as JSON numbers and booleans
 * @param kind how the warmer loads the model: generate (an empty /api/generate),
 * embedding (an empty /api/embed, for embedding-only models) or auto (the warmer asks
 * Ollama's /api/show once)
 * @param schedule when the rule applies as written: outside its windows the model is not
 * kept warm and gets the schedule's off-hours-keep-alive instead of keep-alive (mode,
 * allow-unload and options still apply). Omitted: always
 * @param replicas on a fleet of Ollama hosts, how many hosts keep a warm model warm: a
 * number of at least 1 or "all" (every healthy host)
 */
public record ModelRule(@NotBlank String match, @Nullable KeepAlive keepAlive, @DefaultValue("override") Mode mode,
        @Nullable KeepAlive min, @Nullable KeepAlive max, @DefaultValue("false") boolean warm,
        @DefaultValue("true") boolean allowUnload, @DefaultValue Map<String, String> options,
        @DefaultValue("auto") LoadRoute kind, @Nullable Schedule schedule,
        @DefaultValue("1") Replicas replicas) implements Policy {

    @ConstructorBinding
    public ModelRule {
        options = options == null ? Map.of() : Map.copyOf(options);
        kind = kind == null ? LoadRoute.AUTO : kind;
        replicas = replicas == null ? Replicas.ONE : replicas;
        if (match != null && !match.isBlank()) {
            PolicyChecks.check(match, keepAlive, mode, min, max, allowUnload);
            PolicyChecks.checkSchedule(match, schedule, allowUnload);
            PolicyChecks.checkWarm(match, mode, warm);
        }
    }

    /** A rule kept warm on one host of a fleet. */
    public ModelRule(String match, @Nullable KeepAlive keepAlive, Mode mode, @Nullable KeepAlive min,
            @Nullable KeepAlive max, boolean warm, boolean allowUnload, Map<String, String> options, LoadRoute kind,
            @Nullable Schedule schedule) {
        this(match, keepAlive, mode, min, max, warm, allowUnload, options, kind, schedule, Replicas.ONE);
    }

    /**
     * Whether the warmer should keep the model loaded at the instant: warm, and inside
     * the schedule if there is one.
     */
    public boolean warmAt(Instant instant) {
        return warm && (schedule == null || schedule.activeAt(instant));
    }

    /**
     * The rule as it applies at the instant: itself inside its schedule (or without one);
     * outside, a copy that is not warm and has the off-hours keep-alive, everything else
     * unchanged.
     */
    ModelRule at(Instant instant) {
        if (schedule == null || schedule.activeAt(instant)) {
            return this;
        }
        return new ModelRule(match, schedule.offHoursKeepAlive(), mode, min, max, false, allowUnload, options, kind,
                schedule, replicas);
    }

    /**
     * The options that shape Ollama's runner: a request (or ping) whose values differ
     * from the loaded runner's forces a reload (OLLAMA-API.md, "Loads that throw a pinned
     * model out"). Pings carry these and nothing else.
     */
    public static final java.util.Set<String> RUNNER_OPTIONS = java.util.Set.of("num_ctx", "num_batch", "num_gpu",
            "main_gpu", "use_mmap", "num_thread");

    /**
     * Whether the rule sets any runner option (no allocation: asked on every /v1
     * request).
     */
    public boolean setsRunnerOptions() {
        for (String key : RUNNER_OPTIONS) {
            if (options.containsKey(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The rule's options that shape the runner ({@link #RUNNER_OPTIONS}), in no
     * particular order.
     */
    public Map<String, String> runnerOptions() {
        return runnerOptions(options);
    }

    /**
     * Of these options, the ones that shape the runner ({@link #RUNNER_OPTIONS}): what a
     * ping for any policy carries.
     */
    public static Map<String, String> runnerOptions(Map<String, String> options) {
        Map<String, String> runner = new java.util.HashMap<>(options);
        runner.keySet().retainAll(RUNNER_OPTIONS);
        return Map.copyOf(runner);
    }

    /**
     * Whether the match names one model rather than a glob: only such a model can be
     * loaded before anyone asks.
     */
    public boolean concrete() {
        return !ModelMatcher.isGlob(match);
    }

    @Override
    public String name() {
        return match;
    }
}
