package dev.keepwarm.warmer;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.WarmerTestBase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Ollama goes away: the breaker opens, the warmer waits quietly, and re-warms as soon as
 * Ollama is back.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=100ms",
                "resilience4j.circuitbreaker.instances.ollama.wait-duration-in-open-state=700ms",
                "resilience4j.retry.instances.ollama.wait-duration=20ms", "keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].warm=true" })
@ExtendWith(OutputCaptureExtension.class)
class OutageTest extends WarmerTestBase {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK).withModel("llama3.2:1b");

    @Autowired
    CircuitBreakerRegistry breakers;

    @Autowired
    Warmer warmer;

    @Test
    void breakerKeepsTheConfiguredWindowWithoutALockOnTheEventLoop() {
        CircuitBreakerConfig config = breakers.circuitBreaker("ollama").getCircuitBreakerConfig();

        assertThat(config.getSlidingWindowSynchronizationStrategy())
            .isEqualTo(CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE);
        assertThat(config.getSlidingWindowSize()).as("application.yml's window still applies").isEqualTo(4);
        assertThat(config.getMinimumNumberOfCalls()).isEqualTo(2);
    }

    @Test
    void breakerOpensDuringOutageAndClosesWhenOllamaIsBackWithModelsRewarmed(CapturedOutput output) {
        CircuitBreaker breaker = breakers.circuitBreaker("ollama");
        await().atMost(Duration.ofSeconds(5)).until(() -> OLLAMA.loadCount("llama3.2:1b") == 1);

        // a first pass of a cold JVM may miss the 50 ms ps-timeout and log once before
        // the outage
        int beforeOutage = output.getOut().length();
        OLLAMA.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
        // ticks short-circuited
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getMetrics().getNumberOfNotPermittedCalls() >= 3);
        assertThat(warmer.state().upstreamUp()).isFalse();
        assertThat(warmer.state().model("llama3.2:1b")).hasValueSatisfying(m -> assertThat(m.resident()).isFalse());
        assertThat(occurrences(output.getOut().substring(beforeOutage), "Ollama cannot be reached"))
            .as("outage logged once")
            .isEqualTo(1);

        OLLAMA.restart();
        awaitPinned(OLLAMA, "llama3.2:1b");
        await().atMost(Duration.ofSeconds(5)).until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);
        assertThat(warmer.state().upstreamUp()).isTrue();
        assertThat(output.getOut()).contains("Ollama answers again");
    }

    private static int occurrences(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }

}
