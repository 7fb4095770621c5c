package dev.keepwarm.fleet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet's oldest version by SemVer precedence, unparsable text first.
 */
class OllamaVersionTest {

    /**
     * SemVer 2.0.0's own precedence example, then Ollama's cases, each strictly lower
     * than the next.
     */
    private static final List<String> ASCENDING = List.of("not-a-version", "v0.5.7", "0.0.0", "0.1.0-rc.1", "0.9.0",
            "0.10.0", "0.33.0-rc2", "0.33.0-rc10", "0.33.0-rc10.1", "0.33.0", "1.0.0-alpha", "1.0.0-alpha.1",
            "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0+build.1",
            "1.0.1", "1.99999999999999999999.0");

    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({ "0.9.0, 0.10.0", "0.33.0-rc2, 0.33.0", "0.33.0-rc2, 0.33.0-rc10", "0.33.0-rc.2, 0.33.0-rc.10",
            "0.33.0-1, 0.33.0-a", "0.33.0-a, 0.33.0-a.1", "0.9.9, 0.10.0-rc1", "1.9.9, 2.0.0", "0.5.7, 0.5.8",
            "garbage, 0.0.1", "0.01.0, 0.0.1", "1.0.0+a, 1.0.0+b" })
    void lowerVersionComesFirst(String lower, String higher) {
        assertThat(OllamaVersion.parse(lower)).isLessThan(OllamaVersion.parse(higher));
        assertThat(OllamaVersion.parse(higher)).isGreaterThan(OllamaVersion.parse(lower));
        assertThat(OllamaVersion.oldest(List.of(higher, lower))).contains(lower);
    }

    @Test
    void sortingShuffledVersionsGivesThePrecedenceOrder() {
        List<String> shuffled = new ArrayList<>(ASCENDING);
        Collections.shuffle(shuffled, new Random(13));
        assertThat(shuffled.stream().map(OllamaVersion::parse).sorted().map(OllamaVersion::text))
            .containsExactlyElementsOf(ASCENDING);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "dev", "v0.5.7", "0.5", "0.5.7.1", "0.05.7", "0.5.7-", "0.5.7-rc..1", "0.5.7-01",
            "0.5.7+", "0.5.7 rc1" })
    void textThatIsNotASemanticVersionIsKeptAsText(String text) {
        OllamaVersion version = OllamaVersion.parse(text);
        assertThat(version.isSemantic()).isFalse();
        assertThat(version.text()).isEqualTo(text);
        assertThat(version).isLessThan(OllamaVersion.parse("0.0.0"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0.0.0", "0.5.7", "0.33.0-rc2", "1.0.0-alpha.1+exp.sha.5114f85", "10.20.30" })
    void semanticVersionsParse(String text) {
        assertThat(OllamaVersion.parse(text).isSemantic()).isTrue();
    }

    @Test
    void oldestOfTheFleetIsTheLowestAndAnUnparsableVersionWins() {
        assertThat(OllamaVersion.oldest(List.of())).isEmpty();
        assertThat(OllamaVersion.oldest(List.of("0.10.0", "0.9.0", "0.33.0-rc2"))).contains("0.9.0");
        assertThat(OllamaVersion.oldest(List.of("0.33.0", " 0.33.0-rc2\n"))).contains("0.33.0-rc2");
        assertThat(OllamaVersion.oldest(List.of("0.5.7", "dev", "0.1.0"))).contains("dev");
    }

    @Test
    void versionsOfEqualPrecedenceStayDistinctAndOrdered() {
        OllamaVersion a = OllamaVersion.parse("1.0.0+a");
        assertThat(a).isEqualTo(OllamaVersion.parse(" 1.0.0+a ")).isNotEqualTo(OllamaVersion.parse("1.0.0+b"));
        assertThat(a).hasSameHashCodeAs(OllamaVersion.parse("1.0.0+a")).hasToString("1.0.0+a");
        assertThat(OllamaVersion.oldest(List.of("1.0.0+b", "1.0.0+a"))).contains("1.0.0+a");
    }

}
