package dev.keepwarm.warmer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.keepwarm.KeepwarmApplication;
import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.support.LearnedGenerate;
import dev.keepwarm.support.TestClock;
import dev.keepwarm.support.TestClockTimer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state file end to end: what one keepwarm learned, the next one started on the same
 * file knows, so its first request already gets the learned keep_alive instead of paying
 * the learning phase again.
 */
class AdaptiveRestartTest {

    private static final FakeOllama OLLAMA = FakeOllama.start(TestClock.CLOCK).withModel("rhythm");

    @TempDir
    static Path directory;

    @AfterAll
    static void stopFake() {
        OLLAMA.close();
    }

    @Test
    void aRestartedKeepwarmSendsWhatTheLastOneLearned() throws Exception {
        Path stateFile = directory.resolve("adaptive.txt");
        try (ConfigurableApplicationContext first = start(stateFile)) {
            for (int i = 0; i <= 3; i++) {
                assertThat(generate(first)).as("use %d", i).isEqualTo("10m; rule=default; action=adaptive");
                TestClock.CLOCK.advance(Duration.ofMinutes(30));
            }
            assertThat(generate(first)).as("the fourth idle time").isEqualTo("0s; rule=default; action=adaptive");
        }
        assertThat(Files.readString(stateFile))
            .contains("rhythm:latest bin=PT1M range=PT4H out-of-bounds=0 counts=30:4");

        try (ConfigurableApplicationContext second = start(stateFile)) {
            assertThat(generate(second)).as("learned before the restart")
                .isEqualTo("0s; rule=default; action=adaptive");
        }
    }

    private static ConfigurableApplicationContext start(Path stateFile) {
        String[] args = Stream
            .of("server.port=0", "management.server.port=0", "keepwarm.upstream.url=" + OLLAMA.url(),
                    "keepwarm.warmer.interval=1h", "keepwarm.policy.default.mode=adaptive",
                    "keepwarm.policy.default.keep-alive=10m", "keepwarm.adaptive.min-samples=4",
                    "keepwarm.adaptive.state-file=" + stateFile)
            .map(property -> "--" + property)
            .toArray(String[]::new);
        return new SpringApplicationBuilder(KeepwarmApplication.class, OnTheTestClock.class).run(args);
    }

    /** keepwarm on the test's clock, pre-warms too. */
    @Configuration(proxyBeanMethods = false)
    @Import({ TestClock.class, TestClockTimer.class })
    static class OnTheTestClock {

    }

    private static String generate(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return LearnedGenerate.keepAlive(port, "rhythm", context.getBean(KeepAliveLearner.class));
    }

}
