package dev.keepwarm.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * KeepAlive: configuration parsing, Ollama's string rules, ordering and the JSON literal
 * sent on the wire.
 */
class KeepAliveTest {

    @ParameterizedTest(name = "config \"{0}\" is sent as {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            forever  | -1
            FOREVER  | -1
            Forever  | -1
            -1       | -1
            -5       | -1
            -0.5     | -1
            -1m      | -1
            -1h30m   | -1
            0        | "0s"
            0s       | "0s"
            300      | "5m"
            90       | "1m30s"
            42.5     | "42.5s"
            30m      | "30m"
            1h30m    | "1h30m"
            90s      | "1m30s"
            300ms    | "300ms"
            1.5h     | "1h30m"
            24h      | "24h"
            '  10m ' | "10m"
            """)
    void parsesConfiguredKeepAlive(String text, String json) {
        assertThat(KeepAlive.parse(text).toJson()).isEqualTo(json);
    }

    @Test
    void parsesConfiguredValuesToTheirDuration() {
        assertThat(KeepAlive.parse("forever").isForever()).isTrue();
        assertThat(KeepAlive.parse("-1").duration()).isEmpty();
        assertThat(KeepAlive.parse("0").isZero()).isTrue();
        assertThat(KeepAlive.parse("300").duration()).contains(Duration.ofMinutes(5));
        assertThat(KeepAlive.parse("42.5").duration()).contains(Duration.ofMillis(42_500));
        assertThat(KeepAlive.parse("1h30m").duration()).contains(Duration.ofMinutes(90));
    }

    @Test
    void valueOfParsesLikeParseForSpringConversion() {
        assertThat(KeepAlive.valueOf("1h30m").duration()).contains(Duration.ofMinutes(90));
        assertThat(KeepAlive.valueOf("-1")).isEqualTo(KeepAlive.FOREVER);
    }

    @ParameterizedTest(name = "config \"{0}\" is rejected")
    @ValueSource(strings = { "", "   ", "abc", "ten minutes", "10 minutes", "1h30", "5M", "1d", "1e3", "never", "--1",
            "1.2.3", "9999999999h" })
    void rejectsGarbageInConfigurationNamingTheValue(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> KeepAlive.parse(text))
            .withMessageContaining("'" + text + "'")
            .withMessageContaining("Go duration");
    }

    @Test
    void rejectsMissingConfiguredValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> KeepAlive.parse(null));
    }

    @Test
    void configuredSecondsTooLongForOllamaMeanForever() {
        // 10^10 s is more nanoseconds than an int64 holds; ofSeconds already reads that
        // as forever
        assertThat(KeepAlive.ofSeconds(new BigDecimal("10000000000"))).isEqualTo(KeepAlive.FOREVER);
        assertThat(KeepAlive.parse("10000000000")).isEqualTo(KeepAlive.FOREVER);
    }

    @ParameterizedTest(name = "JSON number {0} is sent as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            300       | 300
            300.000   | 300
            42.5      | 42.5
            0.25      | 0.25
            0         | 0
            1E+2      | 100
            86400     | 86400
            -1        | -1
            -300      | -1
            -0.5      | -1
            """)
    void secondsFromAJsonNumberStayANumber(String seconds, String json) {
        assertThat(KeepAlive.ofSeconds(new BigDecimal(seconds)).toJson()).isEqualTo(json);
    }

    @Test
    void secondsBeyondWhatOllamaCanHoldMeanForever() {
        assertThat(KeepAlive.ofSeconds(new BigDecimal("1e30")).isForever()).isTrue();
    }

    @Test
    void toJsonWritesForeverAsTheNumberMinusOneNeverAString() {
        assertThat(KeepAlive.FOREVER.toJson()).isEqualTo("-1");
        assertThat(KeepAlive.of(Duration.ofSeconds(-1)).toJson()).isEqualTo("-1");
        assertThat(KeepAlive.parseGoDuration("-1m").orElseThrow().toJson()).isEqualTo("-1");
    }

    @Test
    void toJsonWritesDurationsAsGoDurationStrings() {
        assertThat(KeepAlive.of(Duration.ofMinutes(10)).toJson()).isEqualTo("\"10m\"");
        assertThat(KeepAlive.of(Duration.ofMinutes(90)).toJson()).isEqualTo("\"1h30m\"");
        assertThat(KeepAlive.of(Duration.ofSeconds(90)).toJson()).isEqualTo("\"1m30s\"");
        assertThat(KeepAlive.of(Duration.ofMillis(300)).toJson()).isEqualTo("\"300ms\"");
        assertThat(KeepAlive.ZERO.toJson()).isEqualTo("\"0s\"");
    }

    @Test
    void toStringShowsTheLiteralWithoutQuotes() {
        assertThat(KeepAlive.parse("1h30m")).hasToString("1h30m");
        assertThat(KeepAlive.FOREVER).hasToString("-1");
        assertThat(KeepAlive.ofSeconds(new BigDecimal("300"))).hasToString("300");
    }

    @ParameterizedTest(name = "Go duration \"{0}\" is sent as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0       | "0s"
            0s      | "0s"
            -0      | "0s"
            5m      | "5m"
            1h30m   | "1h30m"
            90s     | "1m30s"
            300ms   | "300ms"
            1.5h    | "1h30m"
            -1m     | -1
            -1ns    | -1
            """)
    void parsesGoDurationsAsOllamaReadsKeepAliveStrings(String text, String json) {
        assertThat(KeepAlive.parseGoDuration(text)).hasValueSatisfying(k -> assertThat(k.toJson()).isEqualTo(json));
    }

    @ParameterizedTest(name = "\"{0}\" is not a keep_alive string Ollama accepts")
    @ValueSource(strings = { "300", "-1", "42.5", "abc", "", "forever", " 5m", "1h30" })
    void bareNumbersAndGarbageAreNotGoDurations(String text) {
        assertThat(KeepAlive.parseGoDuration(text)).isEmpty();
    }

    @Test
    void zeroIsZeroWhicheverWayItIsWritten() {
        assertThat(KeepAlive.parseGoDuration("0").orElseThrow().isZero()).isTrue();
        assertThat(KeepAlive.parseGoDuration("0s").orElseThrow().isZero()).isTrue();
        assertThat(KeepAlive.ofSeconds(BigDecimal.ZERO).isZero()).isTrue();
        assertThat(KeepAlive.parse("0").isZero()).isTrue();
        assertThat(KeepAlive.FOREVER.isZero()).isFalse();
        assertThat(KeepAlive.of(Duration.ofNanos(1)).isZero()).isFalse();
    }

    @Test
    void foreverIsGreaterThanAnyDuration() {
        KeepAlive longest = KeepAlive.of(Duration.ofNanos(Long.MAX_VALUE));

        assertThat(KeepAlive.FOREVER).isGreaterThan(longest);
        assertThat(longest).isLessThan(KeepAlive.FOREVER);
        assertThat(KeepAlive.FOREVER).isGreaterThan(KeepAlive.parse("24h"));
        assertThat(KeepAlive.FOREVER.compareTo(KeepAlive.parse("forever"))).isZero();
        assertThat(KeepAlive.FOREVER.compareTo(KeepAlive.ofSeconds(BigDecimal.valueOf(-1)))).isZero();
    }

    @Test
    void durationsCompareByLength() {
        assertThat(KeepAlive.ZERO).isLessThan(KeepAlive.of(Duration.ofNanos(1)));
        assertThat(KeepAlive.parse("1m")).isLessThan(KeepAlive.parse("5m"));
        assertThat(KeepAlive.parse("1h30m")).isGreaterThan(KeepAlive.parse("89m"));
        assertThat(KeepAlive.ofSeconds(new BigDecimal("300")).compareTo(KeepAlive.parse("5m"))).isZero();
    }

    @Test
    void sortsWithForeverLast() {
        List<KeepAlive> values = new ArrayList<>(List.of(KeepAlive.FOREVER, KeepAlive.parse("1h"), KeepAlive.ZERO,
                KeepAlive.parse("90s"), KeepAlive.ofSeconds(new BigDecimal("42.5"))));

        values.sort(null);

        assertThat(values).extracting(KeepAlive::toJson).containsExactly("\"0s\"", "42.5", "\"1m30s\"", "\"1h\"", "-1");
    }

    @Test
    void foreverEqualsForeverHoweverItWasWritten() {
        assertThat(KeepAlive.parse("forever")).isEqualTo(KeepAlive.FOREVER)
            .isEqualTo(KeepAlive.parse("-1"))
            .hasSameHashCodeAs(KeepAlive.FOREVER);
        assertThat(KeepAlive.FOREVER).isNotEqualTo(KeepAlive.parse("24h"));
    }

}
