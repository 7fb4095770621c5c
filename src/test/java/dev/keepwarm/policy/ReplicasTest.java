package dev.keepwarm.policy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code replicas}: a count of at least 1 or {@code all}, and the copies each wants.
 */
class ReplicasTest {

    @ParameterizedTest(name = "replicas {0} over {1} healthy hosts wants {2}")
    @CsvSource({ "1, 3, 1", "2, 3, 2", "5, 3, 5", "2, 0, 2", "all, 3, 3", "ALL, 1, 1", " all , 0, 1" })
    void wantsTheCountOrEveryHealthyHostAndAtLeastOne(String text, int healthy, int wanted) {
        assertThat(Replicas.parse(text).wanted(healthy)).isEqualTo(wanted);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-1", "", "two", "1.5" })
    void anythingElseIsRefusedNamingTheValue(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Replicas.parse(text))
            .withMessageContaining("replicas must be at least 1 or \"all\"");
    }

    @Test
    void allAndOneReadAsTheyAreWritten() {
        assertThat(Replicas.ALL.isAll()).isTrue();
        assertThat(Replicas.ONE.isAll()).isFalse();
        assertThat(Replicas.ALL).hasToString("all");
        assertThat(Replicas.parse("2")).isEqualTo(new Replicas(2)).hasToString("2");
    }

}
