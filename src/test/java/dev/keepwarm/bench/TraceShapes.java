package dev.keepwarm.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic traces shaped like the population of Shahrad et al., "Serverless in the Wild"
 * (USENIX ATC 2020, §3): most applications are invoked less than once an hour, a few many
 * times a minute, and their arrivals are periodic (timers), bursty, diurnal or close to
 * Poisson. The population (which model has which shape, rate, size and load time) comes
 * from one seed, the arrivals from another, so that a held-out trace is the same models
 * on another day.
 *
 * <p>
 * The mix for {@code n} models: 55% (rounded up) {@code rare} (Poisson at 1 per 5 h to 1
 * per 1.5 h), {@code max(2, n / 20)} very frequent ({@code poisson}, 3 to 10 a minute),
 * and the rest in turn {@code periodic} (period 3 min to 3 h, jitter 5% of the period),
 * {@code diurnal} (Poisson whose rate follows a sine over a day of {@code dayHours}, 6 to
 * 120 an hour on average, 10% to 190% of it), {@code bursty} (on/off: bursts of 10 min on
 * average at 1 to 4 a minute, 1 to 8 h apart) and {@code poisson} (0.5 to 30 an hour).
 * Rates, periods and sizes are log-uniform in their ranges. Sizes are 0.6 to 40 GB; the
 * load time is 0.8 s + 0.4 s per GB (a 4 GB model loads in 2.4 s, a 40 GB one in 16.8 s).
 */
final class TraceShapes {

    static final String RARE = "rare";

    static final String POISSON = "poisson";

    static final String PERIODIC = "periodic";

    static final String DIURNAL = "diurnal";

    static final String BURSTY = "bursty";

    private static final long HOUR = 3_600_000L;

    private static final long MINUTE = 60_000L;

    private TraceShapes() {
    }

    /** The models of a population of {@code count}, from {@code seed}. */
    static List<Trace.Model> population(int count, long seed) {
        Random random = new Random(seed);
        List<String> shapes = new ArrayList<>();
        int rare = (int) Math.ceil(count * 0.55);
        int frequent = Math.min(count - rare, Math.max(2, count / 20));
        for (int i = 0; i < rare; i++) {
            shapes.add(RARE);
        }
        List<String> others = List.of(PERIODIC, DIURNAL, BURSTY, POISSON);
        for (int i = 0; shapes.size() < count - frequent; i++) {
            shapes.add(others.get(i % others.size()));
        }
        Collections.shuffle(shapes, random);
        List<Trace.Model> models = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean busy = i >= count - frequent;
            String shape = busy ? POISSON : shapes.get(i);
            double rate = busy ? logUniform(random, 180, 600) : switch (shape) {
                case RARE -> logUniform(random, 0.2, 1 / 1.5);
                case PERIODIC -> 60.0 / logUniform(random, 3, 180);
                case DIURNAL -> logUniform(random, 6, 120);
                case BURSTY -> logUniform(random, 60, 240); // while on
                default -> logUniform(random, 0.5, 30);
            };
            double gb = logUniform(random, 0.6, 40);
            long size = Math.round(gb * 1e9);
            long load = Math.round(800 + 400 * gb);
            models.add(new Trace.Model(String.format(Locale.ROOT, "m%02d-%s", i, busy ? "frequent" : shape), shape,
                    rate, load, size));
        }
        return models;
    }

    /**
     * The arrivals of {@code models} over {@code durationMillis} of trace time, from
     * {@code seed}; a diurnal day lasts {@code dayHours}.
     */
    static Trace trace(List<Trace.Model> models, long durationMillis, long seed, double dayHours, String header) {
        Random random = new Random(seed);
        List<Trace.Request> requests = new ArrayList<>();
        for (Trace.Model model : models) {
            // one generator per model, so that a model's arrivals do not depend on the
            // others'
            Random own = new Random(random.nextLong());
            for (long t : arrivals(model, durationMillis, dayHours, own)) {
                requests.add(new Trace.Request(t, model.name()));
            }
        }
        return new Trace(durationMillis, header, models, requests);
    }

    private static List<Long> arrivals(Trace.Model model, long duration, double dayHours, Random random) {
        List<Long> times = new ArrayList<>();
        double perMilli = model.ratePerHour() / HOUR;
        switch (model.shape()) {
            case PERIODIC -> {
                double period = HOUR / model.ratePerHour();
                double phase = random.nextDouble() * period;
                for (double t = phase; t < duration; t += period) {
                    long jittered = Math.round(t + random.nextGaussian() * 0.05 * period);
                    if (jittered >= 0 && jittered < duration) {
                        times.add(jittered);
                    }
                }
            }
            case DIURNAL -> {
                double day = dayHours * HOUR;
                double phase = random.nextDouble() * 2 * Math.PI;
                double peak = perMilli * 1.9;
                for (double t = exponential(random, peak); t < duration; t += exponential(random, peak)) {
                    double rate = perMilli * (1 + 0.9 * Math.sin(2 * Math.PI * t / day + phase));
                    if (random.nextDouble() * peak < rate) {
                        times.add((long) t);
                    }
                }
            }
            case BURSTY -> {
                double t = random.nextDouble() < 0.2 ? 0
                        : exponential(random, 1.0 / logUniform(random, HOUR, 8 * HOUR));
                while (t < duration) {
                    double end = t + exponential(random, 1.0 / (10 * MINUTE));
                    for (t += exponential(random, perMilli); t < Math.min(end, duration); t += exponential(random,
                            perMilli)) {
                        times.add((long) t);
                    }
                    t = end + exponential(random, 1.0 / logUniform(random, HOUR, 8 * HOUR));
                }
            }
            default -> {
                for (double t = exponential(random, perMilli); t < duration; t += exponential(random, perMilli)) {
                    times.add((long) t);
                }
            }
        }
        Collections.sort(times);
        return times;
    }

    /**
     * An exponential gap for a Poisson process of {@code rate} events per millisecond.
     */
    private static double exponential(Random random, double rate) {
        return -Math.log(1 - random.nextDouble()) / rate;
    }

    private static double logUniform(Random random, double low, double high) {
        return Math.exp(Math.log(low) + random.nextDouble() * (Math.log(high) - Math.log(low)));
    }

}
