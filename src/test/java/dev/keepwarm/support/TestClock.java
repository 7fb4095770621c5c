package dev.keepwarm.support;

import java.time.Clock;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import dev.keepwarm.fake.MutableClock;

/**
 * Gives keepwarm the test's clock, the same one the fake Ollama keeps expiry by. Import
 * it and set {@link #CLOCK}.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestClock {

    /**
     * Shared by every test context that imports this configuration; tests move it
     * forward, never back.
     */
    public static final MutableClock CLOCK = MutableClock.at(java.time.Instant.parse("2026-11-25T09:00:00Z"));

    @Bean
    @Primary
    Clock testClock() {
        return CLOCK;
    }

}
