package dev.keepwarm.warmer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.DoubleSupplier;

import dev.keepwarm.adaptive.AdaptiveKeepAlive.Reason;
import dev.keepwarm.fake.MutableClock;
import dev.keepwarm.policy.DefaultPolicy;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.Policy;
import dev.keepwarm.proxy.KeepAliveAdvisor.Advice;
import reactor.core.Disposable;
import reactor.core.Disposables;

/**
 * The error several keepwarm replicas make (issue 14 item 5): each learns only from the
 * requests a load balancer sends it, so it sees longer idle times than the model's. This
 * replays one model's traffic, split at random between 1, 2 or 3 real
 * {@link KeepAliveLearner}s, against a one-model Ollama in simulated time (a request sets
 * the expiry to its end plus its keep_alive, as Ollama does; a pre-warm loads and sets it
 * to its end plus its hold), and prints per split the cold-start share and the hours the
 * model was loaded per day.
 *
 * <pre>
 * ReplicaSplit [--days N] [--seed S]
 * </pre>
 */
public final class ReplicaSplit {

    private static final Policy ADAPTIVE = new DefaultPolicy(KeepAlive.parse("10m"), Mode.ADAPTIVE, null, null, true,
            Map.of());

    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    private ReplicaSplit() {
    }

    public static void main(String[] args) {
        int days = 14;
        long seed = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--days" -> days = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println("| traffic | replicas | requests | cold starts | sent the rule's keep-alive (learning) "
                + "| loaded h/day | pre-warm hits/misses/late |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Traffic traffic : Traffic.values()) {
            for (int replicas = 1; replicas <= 3; replicas++) {
                Result result = run(traffic, replicas, days, seed);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.1f%% | %.1f%% | %.2f | %d/%d/%d |%n", traffic.label,
                        replicas, result.requests, 100.0 * result.cold / result.requests,
                        100.0 * result.learning / result.requests, result.loadedSeconds / 3600.0 / days, result.hits,
                        result.misses, result.late);
            }
        }
    }

    /** One model's traffic shape. */
    enum Traffic {

        PERIODIC("every 30 min, +-1 min jitter"), POISSON("Poisson, mean gap 20 min"),
        BURSTY("bursts of 5 a minute apart, every 2 h");

        final String label;

        Traffic(String label) {
            this.label = label;
        }

        List<Instant> requests(int days, Random random) {
            List<Instant> times = new ArrayList<>();
            Instant end = START.plus(Duration.ofDays(days));
            Instant t = START;
            while (t.isBefore(end)) {
                switch (this) {
                    case PERIODIC -> {
                        times.add(t);
                        t = t.plusSeconds(1800 + random.nextInt(121) - 60);
                    }
                    case POISSON -> {
                        times.add(t);
                        t = t.plusSeconds(Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) * 1200)));
                    }
                    case BURSTY -> {
                        for (int i = 0; i < 5; i++) {
                            times.add(t.plusSeconds(60L * i));
                        }
                        t = t.plus(Duration.ofHours(2)).plusSeconds(random.nextInt(301));
                    }
                }
            }
            return times;
        }

    }

    record Result(int requests, int cold, int learning, double loadedSeconds, long hits, long misses, long late) {
    }

    static Result run(Traffic traffic, int replicas, int days, long seed) {
        Random random = new Random(seed);
        List<Instant> times = traffic.requests(days, random);
        MutableClock clock = MutableClock.at(START);
        PriorityQueue<Planned> due = new PriorityQueue<>((a, b) -> a.at.compareTo(b.at));
        AdaptiveProperties properties = new AdaptiveProperties(Duration.ofMinutes(1), Duration.ofHours(4), 99, 5, "10%",
                10, null, null, Duration.ofMinutes(1));
        Ollama ollama = new Ollama();
        List<KeepAliveLearner> learners = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            learners.add(new KeepAliveLearner(properties, clock, (model, policy, at, hold, callback) -> {
                Planned planned = new Planned(at, hold, callback, Disposables.single());
                due.add(planned);
                return planned.task;
            }, model -> 0));
        }
        DoubleSupplier pick = random::nextDouble;
        int cold = 0;
        int learning = 0;
        for (Instant t : times) {
            while (!due.isEmpty() && !due.peek().at.isAfter(t)) {
                Planned planned = due.poll();
                if (planned.task.isDisposed()) {
                    continue;
                }
                if (planned.expired) {
                    planned.callback.expired();
                    continue;
                }
                clock.set(planned.at);
                ollama.request(planned.at, planned.hold);
                planned.callback.loaded(Duration.ZERO);
                due.add(planned.expiry());
            }
            clock.set(t);
            KeepAliveLearner learner = learners.get((int) (pick.getAsDouble() * replicas));
            Advice advice = learner.started("m", ADAPTIVE);
            if (learner.view("m").map(view -> view.reason() == Reason.LEARNING).orElse(true)) {
                learning++;
            }
            KeepAlive keepAlive = advice.keepAlive() != null ? advice.keepAlive() : ADAPTIVE.keepAlive();
            if (!ollama.loadedAt(t)) {
                cold++;
            }
            ollama.request(t, keepAlive.duration().orElse(Duration.ofDays(3650)));
            advice.ended("200");
        }
        ollama.loadedAt(times.get(times.size() - 1).plus(Duration.ofDays(1)));
        long hits = 0;
        long misses = 0;
        long late = 0;
        for (KeepAliveLearner learner : learners) {
            hits += learner.prewarms(KeepAliveLearner.PrewarmOutcome.HIT);
            misses += learner.prewarms(KeepAliveLearner.PrewarmOutcome.MISS);
            late += learner.prewarms(KeepAliveLearner.PrewarmOutcome.LATE);
        }
        return new Result(times.size(), cold, learning, ollama.loadedSeconds, hits, misses, late);
    }

    /** A pre-warm due at {@code at}, or (expired) the end of its hold. */
    private static final class Planned {

        final Instant at;

        final Duration hold;

        final KeepAliveLearner.Prewarms.Callback callback;

        final Disposable task;

        final boolean expired;

        Planned(Instant at, Duration hold, KeepAliveLearner.Prewarms.Callback callback, Disposable task) {
            this(at, hold, callback, task, false);
        }

        private Planned(Instant at, Duration hold, KeepAliveLearner.Prewarms.Callback callback, Disposable task,
                boolean expired) {
            this.at = at;
            this.hold = hold;
            this.callback = callback;
            this.task = task;
            this.expired = expired;
        }

        Planned expiry() {
            return new Planned(at.plus(hold), hold, callback, task, true);
        }

    }

    /** One model on one Ollama: loaded until its expiry; instant loads and requests. */
    private static final class Ollama {

        private Instant loadedSince;

        private Instant expiresAt = Instant.MIN;

        double loadedSeconds;

        boolean loadedAt(Instant t) {
            if (loadedSince != null && !expiresAt.isAfter(t)) {
                loadedSeconds += Duration.between(loadedSince, expiresAt).toMillis() / 1000.0;
                loadedSince = null;
            }
            return loadedSince != null;
        }

        void request(Instant t, Duration keepAlive) {
            if (!loadedAt(t)) {
                loadedSince = t;
            }
            expiresAt = t.plus(keepAlive);
        }

    }

}
