package dev.keepwarm.policy;

import java.math.BigDecimal;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Go's time.ParseDuration, which Ollama applies to keep_alive strings, and the compact
 * formatter.
 */
class GoDurationTest {

    @ParameterizedTest(name = "\"{0}\" is {1} ns")
    @CsvSource(delimiter = '|', textBlock = """
            0           | 0
            +0          | 0
            -0          | 0
            0s          | 0
            1ns         | 1
            1us         | 1000
            1\u00b5s    | 1000
            1\u03bcs    | 1000
            1ms         | 1000000
            300ms       | 300000000
            1s          | 1000000000
            90s         | 90000000000
            5m          | 300000000000
            +5m         | 300000000000
            1h          | 3600000000000
            1h30m       | 5400000000000
            1.5h        | 5400000000000
            .5s         | 500000000
            5.s         | 5000000000
            1h1h        | 7200000000000
            2h45m30.5s  | 9930500000000
            -1m         | -60000000000
            -1.5h       | -5400000000000
            """)
    void parsesLikeGo(String text, long nanos) {
        assertThat(GoDuration.parse(text)).contains(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "\"{0}\" is not a Go duration")
    @ValueSource(strings = { "", "-", "+", ".", ".s", "300", "-1", "1.5", "abc", "5", "1h30", "5M", "5 m", " 5m", "5m ",
            "1d", "1w", "1e3s", "1..5s", "1.2.3s", "1h-1m", "m", "forever", "9999999999h", "2562048h" })
    void rejectsWhatGoRejects(String text) {
        assertThat(GoDuration.parse(text)).isEmpty();
    }

    @Test
    void acceptsTheLargestDurationGoAccepts() {
        assertThat(GoDuration.parse("2562047h")).contains(Duration.ofHours(2_562_047));
        assertThat(GoDuration.parse("9223372036854775807ns")).contains(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(GoDuration.parse("9223372036854775808ns")).isEmpty();
    }

    @Test
    void acceptsTheMostNegativeDurationLikeGo() {
        // Go allows a magnitude of 1<<63 when negative:
        // time.ParseDuration("-9223372036854775808ns") == math.MinInt64
        assertThat(GoDuration.parse("-9223372036854775808ns")).contains(Duration.ofNanos(Long.MIN_VALUE));
        assertThat(GoDuration.parse("-9223372036854775809ns")).isEmpty();
    }

    @Test
    void acceptsOnlyAsciiDigitsLikeGo() {
        // Go's time.ParseDuration reads '0'..'9' only: "\u0663s" (ARABIC-INDIC DIGIT
        // THREE) is "time: invalid duration"
        assertThat(GoDuration.parse("\u0663s")).isEmpty();
        assertThat(GoDuration.parse("\uff15m")).isEmpty(); // FULLWIDTH DIGIT FIVE
    }

    @ParameterizedTest(name = "{0} s formats as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0          | 0s
            0.3        | 300ms
            0.001      | 1ms
            0.0000015  | 1500ns
            0.000000001| 1ns
            1.5        | 1.5s
            42.5       | 42.5s
            90         | 1m30s
            300        | 5m
            600        | 10m
            3600       | 1h
            3605       | 1h5s
            3600.5     | 1h0.5s
            5400       | 1h30m
            86400      | 24h
            172800     | 48h
            """)
    void formatsCompactly(String seconds, String expected) {
        Duration duration = Duration.ofNanos(new BigDecimal(seconds).movePointRight(9).longValueExact());

        assertThat(GoDuration.format(duration)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} ns survives format and parse")
    @ValueSource(longs = { 0L, 1L, 999L, 1_000L, 1_500L, 1_000_000L, 300_000_000L, 1_000_000_001L, 42_500_000_000L,
            90_000_000_000L, 3_600_000_000_001L, 5_400_000_000_000L, 86_400_000_000_000L, 9_930_500_000_000L,
            Long.MAX_VALUE })
    void formatRoundTripsThroughParse(long nanos) {
        Duration duration = Duration.ofNanos(nanos);

        assertThat(GoDuration.parse(GoDuration.format(duration))).contains(duration);
    }

    @ParameterizedTest(name = "\"{0}\" survives parse and format")
    @ValueSource(strings = { "0s", "1ns", "300ms", "1.5s", "10m", "1m30s", "1h", "1h30m", "1h5s", "24h", "2h45m30.5s" })
    void canonicalTextRoundTripsThroughFormat(String text) {
        assertThat(GoDuration.parse(text).map(GoDuration::format)).contains(text);
    }

}
