package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.JsonNodeFactory;

class GoDurationsTest {

    @ParameterizedTest(name = "\"{0}\" is {1} ns")
    @CsvSource({ "5m, 300000000000", "1h30m, 5400000000000", "300ms, 300000000", "0, 0", "-0, 0", "+5s, 5000000000",
            "-1m, -60000000000", "1.5h, 5400000000000", ".5s, 500000000", "1us, 1000", "1µs, 1000", "1μs, 1000",
            "7ns, 7", "0s, 0", "2562047h47m16.854775807s, 9223372036854775807", })
    void parsesLikeGo(String text, long nanos) {
        assertThat(GoDurations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest(name = "\"{0}\" fails with {1}")
    @CsvSource(delimiter = '|',
            value = { "-1|time: missing unit in duration \"-1\"", "300|time: missing unit in duration \"300\"",
                    "1.2.3s|time: missing unit in duration \"1.2.3s\"", "abc|time: invalid duration \"abc\"",
                    "''|time: invalid duration \"\"", "-|time: invalid duration \"-\"",
                    ".s|time: invalid duration \".s\"", "5x|time: unknown unit \"x\" in duration \"5x\"",
                    "5é|time: unknown unit \"\\xc3\\xa9\" in duration \"5\\xc3\\xa9\"",
                    "9223372037s|time: invalid duration \"9223372037s\"", })
    void rejectsLikeGo(String text, String message) {
        assertThatThrownBy(() -> GoDurations.parse(text))
            .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(400))
            .hasMessage(message);
    }

    @Test
    void numericKeepAliveIsSecondsWithFractions() {
        assertThat(KeepAlive.parse(JsonNodeFactory.instance.numberNode(42.5))).contains(Duration.ofMillis(42_500));
    }

    @Test
    void negativeKeepAliveOfAnyFormIsForever() {
        assertThat(KeepAlive.parse(JsonNodeFactory.instance.numberNode(-1))).contains(KeepAlive.FOREVER);
        assertThat(KeepAlive.parse(JsonNodeFactory.instance.stringNode("-5m"))).contains(KeepAlive.FOREVER);
    }

    @Test
    void nullKeepAliveIsUnset() {
        assertThat(KeepAlive.parse(JsonNodeFactory.instance.nullNode())).isEqualTo(Optional.empty());
        assertThat(KeepAlive.parse(null)).isEqualTo(Optional.empty());
    }

    @Test
    void otherJsonTypesAreUnsupportedWithGoTypeNames() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        assertThatThrownBy(() -> KeepAlive.parse(json.booleanNode(true))).hasMessage("Unsupported type: 'bool'");
        assertThatThrownBy(() -> KeepAlive.parse(json.arrayNode())).hasMessage("Unsupported type: '[]interface {}'");
        assertThatThrownBy(() -> KeepAlive.parse(json.objectNode()))
            .hasMessage("Unsupported type: 'map[string]interface {}'");
    }

}
