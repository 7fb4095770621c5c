package dev.keepwarm.fake;

import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One simulated generation: {@code count} tokens, each produced {@code interval} after
 * the previous one (the first one interval after the model was handed over), and the
 * timings Ollama would report for it.
 */
final class Generation {

    private static final String[] WORDS = { "The", " quick", " brown", " fox", " jumps", " over", " the", " lazy",
            " dog", "." };

    private final long startNanos;

    private final long readyNanos;

    private final int promptTokens;

    private final int count;

    private final Duration interval;

    private final Scheduler timer;

    private volatile long firstTokenNanos;

    Generation(long startNanos, Lease lease, int promptTokens, Settings settings, Scheduler timer) {
        this.startNanos = startNanos;
        this.readyNanos = startNanos + lease.loadNanos();
        this.promptTokens = promptTokens;
        this.count = settings.tokenCount();
        this.interval = settings.tokenInterval();
        this.timer = timer;
    }

    /**
     * The text of token {@code i}; the same for every generation so tests can predict it.
     */
    static String token(int i) {
        return WORDS[i % WORDS.length];
    }

    /** A rough token count of some text: its whitespace-separated words, at least one. */
    static int tokenCount(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? 1 : trimmed.split("\\s+").length;
    }

    /**
     * The tokens, spaced by the interval; cancelling stops the generation before the next
     * token.
     */
    Flux<String> tokens() {
        return Flux.range(0, count)
            .concatMap(i -> interval.isZero() ? Mono.just(i) : Mono.delay(interval, timer).thenReturn(i))
            .map(i -> {
                if (i == 0) {
                    firstTokenNanos = System.nanoTime();
                }
                return token(i);
            });
    }

    /** The timings of the final chunk, measured now. */
    Timings finish() {
        long end = System.nanoTime();
        long first = count == 0 || firstTokenNanos == 0 ? end : firstTokenNanos;
        return new Timings(end - startNanos, readyNanos - startNanos, promptTokens, Math.max(1, first - readyNanos),
                count, Math.max(count == 0 ? 0 : 1, end - first));
    }

}
