package dev.keepwarm.actuator;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.ModelState;
import dev.keepwarm.warmer.WarmState;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * The {@code keepwarm} health: UP when every warm model with a concrete name (inside its
 * schedule) is resident, otherwise DOWN with a line per model saying what is wrong. Not
 * part of the liveness or readiness groups: a cold model is no reason to restart
 * keepwarm.
 */
class KeepwarmHealth implements ReactiveHealthIndicator {

    private final PolicySource policies;

    private final WarmState state;

    private final Clock clock;

    KeepwarmHealth(PolicySource policies, WarmState state, Clock clock) {
        this.clock = clock;
        this.policies = policies;
        this.state = state;
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromSupplier(() -> {
            Map<String, String> details = new LinkedHashMap<>();
            boolean allResident = true;
            Instant now = clock.instant();
            for (ModelRule rule : policies.current().rules()) {
                if (!rule.warmAt(now) || !rule.concrete()) {
                    continue;
                }
                String model = ModelName.normalize(rule.match());
                ModelState s = state.model(model).orElse(null);
                String detail = describe(s);
                allResident &= s != null && s.resident();
                details.put(model, detail);
            }
            return (allResident ? Health.up() : Health.down()).withDetails(details).build();
        });
    }

    private static String describe(ModelState s) {
        if (s == null) {
            return "not seen yet: the warmer has not reconciled";
        }
        if (s.thrashing()) {
            return "thrashing: re-loaded too often, pings back off until " + s.thrash().backoffUntil();
        }
        if (!s.resident()) {
            return "not loaded" + (s.lastPing().outcome() == null ? "" : "; last ping " + s.lastPing().outcome().tag());
        }
        return s.residency().forever() ? "loaded, pinned forever" : "loaded, expires " + s.residency().expiresAt();
    }

}
