package dev.keepwarm.actuator;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.keepwarm.fleet.Placement;
import dev.keepwarm.policy.ModelName;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.PolicySource;
import dev.keepwarm.warmer.ModelState;
import dev.keepwarm.warmer.FleetWarmer;
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

    private final FleetWarmer fleet;

    private final Clock clock;

    KeepwarmHealth(PolicySource policies, FleetWarmer fleet, Clock clock) {
        this.clock = clock;
        this.policies = policies;
        this.fleet = fleet;
    }

    @Override
    public Mono<Health> health() {
        if (fleet.fleet()) {
            return Mono.fromSupplier(this::fleetHealth);
        }
        WarmState state = fleet.views().get(0).state();
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

    /**
     * Per concrete warm rule: the hosts it is warm on and why copies are missing; DOWN
     * while a rule has fewer warm copies than its replicas.
     */
    private Health fleetHealth() {
        Map<String, String> details = new LinkedHashMap<>();
        boolean met = true;
        Instant now = clock.instant();
        Placement.Plan plan = fleet.plan();
        for (ModelRule rule : policies.current().rules()) {
            if (!rule.warmAt(now) || !rule.concrete()) {
                continue;
            }
            String model = ModelName.normalize(rule.match());
            Optional<Placement.Assignment> assignment = plan.assignment(model);
            List<String> warm = fleet.warmOn(model);
            int wanted = assignment.map(Placement.Assignment::wanted).orElse(rule.replicas().wanted(1));
            met &= warm.size() >= wanted;
            StringBuilder detail = new StringBuilder();
            detail.append("warm on ").append(warm.size()).append(" of ").append(wanted).append(" host(s)");
            if (!warm.isEmpty()) {
                detail.append(": ").append(String.join(", ", warm));
            }
            if (assignment.isEmpty()) {
                detail.append("; not placed yet: the warmer has not reconciled");
            }
            else {
                List<String> loading = assignment.get().hosts().stream().filter(h -> !warm.contains(h)).toList();
                if (!loading.isEmpty()) {
                    detail.append("; placed but not loaded on ").append(String.join(", ", loading));
                }
                if (!assignment.get().missing().isEmpty()) {
                    detail.append("; missing ")
                        .append(assignment.get().missing().size())
                        .append(": ")
                        .append(assignment.get()
                            .missing()
                            .stream()
                            .map(KeepwarmHealth::why)
                            .distinct()
                            .collect(java.util.stream.Collectors.joining(", ")));
                }
            }
            details.put(model, detail.toString());
        }
        return (met ? Health.up() : Health.down()).withDetails(details).build();
    }

    private static String why(Placement.Reason reason) {
        return switch (reason) {
            case NO_ROOM -> "no room (the pinned set would exceed a host's memory or max-loaded)";
            case NOT_IN_CATALOGUE -> "model not in a healthy host's catalogue";
            case NOT_IN_ANY_CATALOGUE -> "model in no healthy host's catalogue";
            case NOT_ENOUGH_HOSTS -> "not enough healthy hosts (a host is down, or the fleet is smaller)";
        };
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
