package dev.keepwarm.warmer;

import java.time.Instant;
import java.util.List;

import dev.keepwarm.ollama.RunningModel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm state stays bounded by what clients send, and the bound never pushes out a
 * model that is loaded.
 */
class WarmStateTest {

    private static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

    @Test
    void manyMoreNamesThanTheBoundNeverPushOutALoadedModel() {
        WarmState state = new WarmState();
        state.update("pinned", s -> s.pinged(PingOutcome.LOADED, NOW, null, true));
        for (int i = 0; i < WarmState.MAX_MODELS + 500; i++) {
            Instant touched = NOW.plusSeconds(i + 1);
            state.update("made-up-" + i, s -> s.skipped(touched));
        }

        assertThat(state.models()).hasSizeLessThanOrEqualTo(WarmState.MAX_MODELS);
        assertThat(state.model("pinned")).hasValueSatisfying(model -> assertThat(model.resident()).isTrue());
        assertThat(state.model("made-up-0")).as("the longest untouched go first").isEmpty();
        assertThat(state.model("made-up-" + (WarmState.MAX_MODELS + 499))).isPresent();
    }

    @Test
    void aModelOllamaListsIsKeptWhenTheStateIsFull() {
        WarmState state = new WarmState();
        for (int i = 0; i < WarmState.MAX_MODELS; i++) {
            state.update("made-up-" + i, s -> s.skipped(NOW));
        }
        state.observe(List.of(new RunningModel("listed:latest", NOW.plusSeconds(300), 1, 2048)), NOW.plusSeconds(1));

        assertThat(state.models()).hasSizeLessThanOrEqualTo(WarmState.MAX_MODELS);
        assertThat(state.model("listed")).hasValueSatisfying(model -> assertThat(model.resident()).isTrue());
    }

}
