package dev.keepwarm.support;

import java.time.Duration;
import java.util.concurrent.Callable;

import dev.keepwarm.fake.FakeOllama;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextCustomizerFactories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Base of the warmer's integration tests (a {@code @SpringBootTest} on a random port,
 * declared by the subclass with its own properties): keepwarm runs on {@link TestClock}
 * against a fake Ollama of the class's own, its one static {@link FakeOllama} field,
 * which {@link FakeOllamaUpstream} points keepwarm at and closes after the class. Each
 * class gets a fresh context, closed after it: the fake and the clock it was started on
 * are the class's.
 */
@Import(TestClock.class)
@DirtiesContext
@ContextCustomizerFactories(FakeOllamaUpstream.class)
@ExtendWith(FakeOllamaUpstream.class)
public abstract class WarmerTestBase {

    /** How long a model may take to become pinned: several intervals and a load. */
    private static final Duration PIN_WAIT = Duration.ofSeconds(10);

    /**
     * How long a handful of reconcile passes may take, with the pings they wait for (an
     * interval at most each).
     */
    private static final Duration PASSES_WAIT = Duration.ofSeconds(30);

    /**
     * Whether the fake lists the model (by its name, or name:latest) loaded with
     * keep_alive forever.
     */
    protected static boolean pinned(FakeOllama ollama, String model) {
        String full = model.contains(":") ? model : model + ":latest";
        return ollama.loaded().stream().anyMatch(m -> m.name().equals(full) && m.forever());
    }

    protected static void awaitPinned(FakeOllama ollama, String model) {
        await().atMost(PIN_WAIT)
            .untilAsserted(() -> assertThat(pinned(ollama, model)).as("%s pinned; loaded: %s", model, ollama.loaded())
                .isTrue());
    }

    /**
     * Waits until {@code passes} reconcile passes that began after this call have ended:
     * until the fake received {@code passes + 1} more GETs of /api/ps, as passes never
     * overlap (a pass begins with its /api/ps, and the next one begins after it ended);
     * with 0, until the pass under way has ended. Only for tests in which nothing else
     * asks /api/ps (the /v1 pin check does).
     * @return the GETs of /api/ps received when the wait began
     */
    protected static int awaitReconcilePasses(FakeOllama ollama, int passes) {
        return awaitReconcilePasses(ollama, passes, () -> false);
    }

    /**
     * As {@link #awaitReconcilePasses(FakeOllama, int)}, failing as soon as
     * {@code broken} holds meanwhile.
     */
    protected static int awaitReconcilePasses(FakeOllama ollama, int passes, Callable<Boolean> broken) {
        int start = psCalls(ollama);
        await().atMost(PASSES_WAIT).failFast(broken).until(() -> psCalls(ollama) >= start + passes + 1);
        return start;
    }

    private static int psCalls(FakeOllama ollama) {
        return ollama.received("/api/ps").size();
    }

}
