package dev.keepwarm.policy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a client's keep_alive is classified, the way Ollama would read it (OLLAMA-API.md).
 */
class ClientKeepAliveTest {

    @ParameterizedTest(name = "string \"{0}\" is a valid keep_alive {1}")
    @CsvSource(delimiter = '|', textBlock = """
            5m     | "5m"
            1h30m  | "1h30m"
            0      | "0s"
            0s     | "0s"
            -1m    | -1
            300ms  | "300ms"
            """)
    void goDurationStringsAreValid(String text, String json) {
        assertThat(ClientKeepAlive.ofString(text)).isInstanceOfSatisfying(ClientKeepAlive.Valid.class,
                valid -> assertThat(valid.value().toJson()).isEqualTo(json));
    }

    @ParameterizedTest(name = "string \"{0}\" is a numeric string repaired to {1}")
    @CsvSource(delimiter = '|', textBlock = """
            300   | 300
            -1    | -1
            42.5  | 42.5
            00    | 0
            -300  | -1
            """)
    void numericStringsOllamaRejectsAreRepairedToNumbers(String text, String json) {
        assertThat(ClientKeepAlive.ofString(text)).isInstanceOfSatisfying(ClientKeepAlive.NumericString.class,
                numeric -> {
                    assertThat(numeric.raw()).isEqualTo(text);
                    assertThat(numeric.value().toJson()).isEqualTo(json);
                });
    }

    @ParameterizedTest(name = "string \"{0}\" is invalid")
    @ValueSource(strings = { "abc", "", "forever", "5 m", "1h30", "5m " })
    void unparsableStringsAreInvalidAndKeepTheirText(String text) {
        assertThat(ClientKeepAlive.ofString(text)).isEqualTo(new ClientKeepAlive.Invalid(text));
    }

    @ParameterizedTest(name = "number {0} is valid keep_alive {1}")
    @CsvSource(delimiter = '|', textBlock = """
            300   | 300
            42.5  | 42.5
            0     | 0
            -1    | -1
            -0.5  | -1
            """)
    void jsonNumbersAreValidSeconds(String number, String json) {
        assertThat(ClientKeepAlive.ofNumber(new BigDecimal(number))).isInstanceOfSatisfying(ClientKeepAlive.Valid.class,
                valid -> assertThat(valid.value().toJson()).isEqualTo(json));
    }

    @Test
    void absentAndInvalidFactoriesBuildTheirKinds() {
        assertThat(ClientKeepAlive.absent()).isInstanceOf(ClientKeepAlive.Absent.class);
        assertThat(ClientKeepAlive.invalid("true")).isEqualTo(new ClientKeepAlive.Invalid("true"));
    }

}
