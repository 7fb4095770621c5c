package dev.keepwarm.fleet;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Model sizes keyed by the name as Ollama compares it.
 */
class ModelSizesTest {

    @Test
    void namesAreComparedNormalizedAndTwoSpellingsKeepTheLargerSize() {
        ModelSizes sizes = new ModelSizes(Map.of("Llama3.2", 3L, "llama3.2:latest", 5L, "qwen3:8b", 7L));
        assertThat(sizes.bytes()).containsExactly(Map.entry("llama3.2:latest", 5L), Map.entry("qwen3:8b", 7L));
        assertThat(sizes.has("registry.ollama.ai/library/llama3.2")).isTrue();
        assertThat(sizes.size("QWEN3:8B")).hasValue(7L);
        assertThat(sizes.has("qwen3:4b")).isFalse();
        assertThat(sizes.size("qwen3:4b")).isEmpty();
        assertThat(ModelSizes.NONE.bytes()).isEmpty();
    }

    @Test
    void aNegativeSizeIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ModelSizes(Map.of("qwen3:8b", -1L)))
            .withMessageContaining("qwen3:8b");
    }

}
