package dev.keepwarm.warmer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.keepwarm.fleet.Routing;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Adaptive mode's pre-warms as warmer pings: at the planned instant, the host routing
 * would send the model's next request to (the one host without a fleet) is pinged with
 * keep_alive = the hold and the policy's runner options; when the hold has run out the
 * learner is told. Owned by {@link Subscriptions}, so nothing outlives the context.
 */
final class FleetPrewarms implements KeepAliveLearner.Prewarms {

    private static final Logger log = LoggerFactory.getLogger(FleetPrewarms.class);

    private final FleetWarmer fleet;

    private final FleetRouter router;

    private final Subscriptions owner;

    private final Clock clock;

    private final ClockTimer timer;

    FleetPrewarms(FleetWarmer fleet, FleetRouter router, Subscriptions owner, Clock clock, ClockTimer timer) {
        this.fleet = fleet;
        this.router = router;
        this.owner = owner;
        this.clock = clock;
        this.timer = timer;
    }

    @Override
    public Disposable plan(String model, Policy policy, Instant at, Duration hold, Callback callback) {
        Mono<Void> work = timer.at(at).then(Mono.defer(() -> ping(model, policy, hold))).flatMap(took -> {
            callback.loaded(took);
            return timer.at(clock.instant().plus(hold)).doOnNext(tick -> callback.expired());
        }).onErrorResume(error -> {
            log.atInfo().addKeyValue(Pinger.MODEL, model).log("Pre-warming {} failed: {}", model, error.toString());
            callback.failed();
            return Mono.empty();
        }).then();
        return owner.own(work);
    }

    private Mono<Duration> ping(String model, Policy policy, Duration hold) {
        Optional<HostWarmer> host = host(model);
        if (host.isEmpty()) {
            return Mono.error(new IllegalStateException("no healthy Ollama host"));
        }
        log.atDebug()
            .addKeyValue(Pinger.MODEL, model)
            .addKeyValue(Pinger.HOST, host.get().host().name())
            .log("Pre-warming {} on {} for {}", model, host.get().host().name(), hold);
        return host.get().pinger().prewarm(model, KeepAlive.of(hold), ModelRule.runnerOptions(policy.options()));
    }

    /** Where the model's next request will go: routing's first choice. */
    private Optional<HostWarmer> host(String model) {
        if (!fleet.fleet()) {
            return fleet.warmers().stream().findFirst();
        }
        return router.route(model, 0, name -> 0)
            .stream()
            .findFirst()
            .map(Routing.Route::host)
            .flatMap(name -> fleet.warmers().stream().filter(w -> w.host().name().equals(name)).findFirst());
    }

}
