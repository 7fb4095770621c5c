package dev.keepwarm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The replay benchmark's synthetic traces and its memory-time accounting. */
class TraceShapesTest {

    private static final long TWELVE_HOURS = 12 * 3_600_000L;

    @Test
    void sameSeedsGiveTheSameTraceAndAnotherSeedAnotherDayOfTheSameModels() {
        List<Trace.Model> models = TraceShapes.population(40, 7);

        Trace first = TraceShapes.trace(models, TWELVE_HOURS, 1, 6, "");
        Trace again = TraceShapes.trace(TraceShapes.population(40, 7), TWELVE_HOURS, 1, 6, "");
        Trace heldOut = TraceShapes.trace(models, TWELVE_HOURS, 2, 6, "");

        assertThat(again).isEqualTo(first);
        assertThat(heldOut.models()).isEqualTo(first.models());
        assertThat(heldOut.requests()).isNotEqualTo(first.requests());
        assertThat(first.requests()).allSatisfy(r -> assertThat(r.offsetMillis()).isBetween(0L, TWELVE_HOURS - 1));
    }

    @Test
    void mostModelsAreUsedLessThanOnceAnHourAndAFewManyTimesAMinute() {
        for (long seed = 1; seed <= 5; seed++) {
            Trace trace = TraceShapes.trace(TraceShapes.population(40, seed), TWELVE_HOURS, seed, 6, "");
            Map<String, Integer> counts = trace.counts();

            long belowOneAnHour = counts.values().stream().filter(n -> n < 12).count();
            long severalAMinute = counts.values().stream().filter(n -> n > 3 * 12 * 60).count();
            assertThat(belowOneAnHour).as("seed %d: models below 1 request an hour", seed).isGreaterThan(20);
            assertThat(severalAMinute).as("seed %d: models above 3 a minute", seed).isBetween(2L, 4L);
        }
        assertThat(TraceShapes.population(40, 7)).extracting(Trace.Model::shape)
            .contains(TraceShapes.RARE, TraceShapes.POISSON, TraceShapes.PERIODIC, TraceShapes.DIURNAL,
                    TraceShapes.BURSTY);
    }

    @Test
    void traceFileReadsBackAsWritten(@TempDir Path dir) throws IOException {
        Trace trace = TraceShapes.trace(TraceShapes.population(10, 3), 3_600_000L, 4, 6, "seed 4 population_seed 3");
        Path file = dir.resolve("trace.txt");

        trace.write(file);

        Trace read = Trace.read(file);
        assertThat(read.requests()).isEqualTo(trace.requests());
        assertThat(read.durationMillis()).isEqualTo(trace.durationMillis());
        assertThat(read.header()).isEqualTo("seed 4 population_seed 3");
        assertThat(read.models()).extracting(Trace.Model::name, Trace.Model::loadMillis, Trace.Model::sizeBytes)
            .isEqualTo(trace.models()
                .stream()
                .map(m -> org.assertj.core.groups.Tuple.tuple(m.name(), m.loadMillis(), m.sizeBytes()))
                .toList());
    }

    @Test
    void memoryTimeSplitsAStayIntoLoadingBusyAndIdleClippedToTheReplay() {
        // 2 GB; load 1 s from t=10 s, busy 2 s, unloaded at t=20 s; replay [0, 15 s]; x10
        String log = """
                {"now_us":0,"stays":[
                 {"host":0,"model":"a:latest","size":2000000000,"load_started_us":10000000,"loaded_us":11000000,
                  "unloaded_us":20000000,"busy_us":2000000,"requests":3},
                 {"host":0,"model":"b:latest","size":1000000000,"load_started_us":12000000,"loaded_us":12500000,
                  "unloaded_us":null,"busy_us":0,"requests":1}]}""";

        Map<String, ResidencyAccount.Usage> usage = ResidencyAccount.account(JsonMapper.builder().build().readTree(log),
                0, 15_000_000, 10);

        ResidencyAccount.Usage a = usage.get("a");
        assertThat(a.loadingGbS).isCloseTo(2 * 1 * 10.0, within(1e-9));
        assertThat(a.busyGbS).isCloseTo(2 * 2 * 10.0, within(1e-9));
        assertThat(a.idleGbS).as("held to the replay's end, 2 s of it idle").isCloseTo(2 * 2 * 10.0, within(1e-9));
        assertThat(a.loads).isEqualTo(1);
        assertThat(usage.get("b").idleGbS).as("still resident: up to the end").isCloseTo(1 * 2.5 * 10.0, within(1e-9));
    }

}
