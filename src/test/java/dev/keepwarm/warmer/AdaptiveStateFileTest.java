package dev.keepwarm.warmer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.keepwarm.adaptive.HistogramSnapshot;
import dev.keepwarm.adaptive.IdleHistogram;
import dev.keepwarm.fake.MutableClock;
import dev.keepwarm.policy.DefaultPolicy;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The state file: histories survive a restart, and a broken file never stops one. */
class AdaptiveStateFileTest {

    private static final Duration BIN = Duration.ofMinutes(1);

    private static final Duration RANGE = Duration.ofHours(4);

    @TempDir
    Path directory;

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-01T08:00:00Z"));

    @Test
    void historiesWrittenAtShutdownAreReadAtTheNextStart() {
        Path file = directory.resolve("state/adaptive.txt");
        KeepAliveLearner first = learner();
        DefaultPolicy policy = new DefaultPolicy(KeepAlive.parse("10m"), Mode.ADAPTIVE, null, null, true, Map.of());
        for (int i = 0; i < 5; i++) {
            first.started("llama3.2", policy).ended("200");
            clock.advance(Duration.ofMinutes(30));
        }
        new AdaptiveStateFile(file, first).destroy();

        KeepAliveLearner second = learner();
        new AdaptiveStateFile(file, second).load();
        assertThat(second.histories()).isEqualTo(first.histories());
        assertThat(second.view("llama3.2").orElseThrow().samples()).isEqualTo(4);
    }

    @Test
    void aWriteReplacesTheFileWholeAndLeavesNoTemporaryFileBehind() throws IOException {
        Path file = directory.resolve("adaptive.txt");
        IdleHistogram histogram = new IdleHistogram(BIN, RANGE);
        histogram.record(Duration.ofMinutes(7));
        histogram.record(Duration.ofHours(5));
        AdaptiveStateFile.write(file, Map.of("a:latest", histogram.snapshot()));
        AdaptiveStateFile.write(file, Map.of("b:7b", HistogramSnapshot.empty(BIN, RANGE)));
        assertThat(AdaptiveStateFile.read(file)).containsOnlyKeys("b:7b");
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files).containsExactly(file);
        }
        AdaptiveStateFile.write(file, Map.of("a:latest", histogram.snapshot()));
        assertThat(AdaptiveStateFile.read(file).get("a:latest")).isEqualTo(histogram.snapshot());
    }

    @Test
    void aBrokenLineIsNamedAndTheLearnerStartsEmpty() throws IOException {
        Path file = directory.resolve("adaptive.txt");
        Files.write(file, List.of("# comment", "", "a:latest " + HistogramSnapshot.empty(BIN, RANGE).toText(),
                "b:latest bin=PT1M range=PT4H"), StandardCharsets.UTF_8);
        assertThatIllegalArgumentException().isThrownBy(() -> AdaptiveStateFile.read(file))
            .withMessageStartingWith("line 4: not an idle-time histogram");
        KeepAliveLearner learner = learner();
        new AdaptiveStateFile(file, learner).load();
        assertThat(learner.views()).isEmpty();
        new AdaptiveStateFile(directory.resolve("missing.txt"), learner).load();
        assertThat(learner.views()).isEmpty();
    }

    private KeepAliveLearner learner() {
        AdaptiveProperties properties = new AdaptiveProperties(BIN, RANGE, 99, 5, "0.1", 10, null, null,
                Duration.ofMinutes(1));
        return new KeepAliveLearner(properties, clock, (model, policy, at, hold, callback) -> Disposables.single(),
                model -> 0);
    }

}
