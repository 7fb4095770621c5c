package dev.keepwarm.policy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Configured option values become the JSON types Ollama expects. */
class OptionValuesTest {

    @Test
    void integerBecomesLong() {
        assertThat(OptionValues.typed("8192")).isEqualTo(8192L);
        assertThat(OptionValues.typed("-1")).isEqualTo(-1L);
        assertThat(OptionValues.typed(" 4096 ")).isEqualTo(4096L);
    }

    @Test
    void decimalBecomesBigDecimal() {
        assertThat(OptionValues.typed("0.7")).isInstanceOfSatisfying(BigDecimal.class,
                n -> assertThat(n).isEqualByComparingTo("0.7"));
        assertThat(OptionValues.typed("-0.5")).isInstanceOfSatisfying(BigDecimal.class,
                n -> assertThat(n).isEqualByComparingTo("-0.5"));
    }

    @Test
    void integerTooLongForALongBecomesBigDecimal() {
        assertThat(OptionValues.typed("123456789012345678901")).isInstanceOfSatisfying(BigDecimal.class,
                n -> assertThat(n).isEqualByComparingTo("123456789012345678901"));
    }

    @ParameterizedTest(name = "\"{0}\" is a boolean")
    @ValueSource(strings = { "true", "TRUE", "True", " true " })
    void trueInAnyCaseBecomesBoolean(String value) {
        assertThat(OptionValues.typed(value)).isEqualTo(Boolean.TRUE);
    }

    @Test
    void falseBecomesBoolean() {
        assertThat(OptionValues.typed("false")).isEqualTo(Boolean.FALSE);
    }

    @ParameterizedTest(name = "\"{0}\" stays a string")
    @ValueSource(strings = { "abc", "yes", "8k", "1.2.3", "", "\n" })
    void anythingElseStaysTheString(String value) {
        assertThat(OptionValues.typed(value)).isEqualTo(value);
    }

}
