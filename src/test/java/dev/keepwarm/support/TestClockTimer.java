package dev.keepwarm.support;

import java.time.Duration;

import dev.keepwarm.warmer.ClockTimer;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Adaptive mode's pre-warms on {@link TestClock}: an instant has come once a test moved
 * the clock to it (looked at every few milliseconds), so a pre-warm planned 27 minutes
 * ahead fires as soon as the test advances the clock 27 minutes. Import it with
 * {@link TestClock}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestClockTimer {

    private static final Duration LOOK = Duration.ofMillis(5);

    @Bean
    ClockTimer testClockTimer() {
        return when -> Flux.interval(Duration.ZERO, LOOK)
            .onBackpressureDrop()
            .filter(tick -> !TestClock.CLOCK.instant().isBefore(when))
            .next();
    }

}
