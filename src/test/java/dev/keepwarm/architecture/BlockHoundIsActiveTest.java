package dev.keepwarm.architecture;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Proves the guard is on: a blocking call on a non-blocking thread fails every test that
 * makes one.
 */
class BlockHoundIsActiveTest {

    @Test
    void blockingOnAParallelThreadFails() {
        Throwable error = catchThrowable(() -> Mono.delay(Duration.ofMillis(1)).doOnNext(tick -> {
            try {
                Thread.sleep(10);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(5)));
        assertThat(error).hasMessageContaining("Blocking call!");
    }

}
