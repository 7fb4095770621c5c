package dev.keepwarm.access;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static dev.keepwarm.access.Keys.ADMIN_KEY;
import static dev.keepwarm.access.Keys.INFERENCE_KEY;
import static dev.keepwarm.access.Keys.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys are recognised by their SHA-256 alone. */
class KeyRingTest {

    private final KeyRing ring = new KeyRing(
            List.of(new ApiKey("webui", sha256(INFERENCE_KEY), Set.of(Scope.INFERENCE)),
                    new ApiKey(" ops ", sha256(ADMIN_KEY).toUpperCase(java.util.Locale.ROOT), Set.of(Scope.ADMIN))));

    @Test
    void presentedKeyIsFoundByItsHashWhateverTheCaseOfTheConfiguredHex() {
        assertThat(ring.find(INFERENCE_KEY)).map(KeyRing.Holder::name).contains("webui");
        assertThat(ring.find(ADMIN_KEY)).map(KeyRing.Holder::name).contains("ops");
        assertThat(ring.names()).containsExactly("webui", "ops");
    }

    @Test
    void theHashItselfAPrefixOrAnotherKeyIsNoKey() {
        assertThat(ring.find(sha256(INFERENCE_KEY))).isEmpty();
        assertThat(ring.find(INFERENCE_KEY.substring(0, INFERENCE_KEY.length() - 1))).isEmpty();
        assertThat(ring.find(INFERENCE_KEY + " ")).isEmpty();
        assertThat(ring.find("")).isEmpty();
    }

    @Test
    void adminImpliesInferenceButNotTheOtherWayRound() {
        KeyRing.Holder admin = ring.find(ADMIN_KEY).orElseThrow();
        KeyRing.Holder inference = ring.find(INFERENCE_KEY).orElseThrow();
        assertThat(admin.has(Scope.INFERENCE)).isTrue();
        assertThat(admin.has(Scope.ADMIN)).isTrue();
        assertThat(inference.has(Scope.INFERENCE)).isTrue();
        assertThat(inference.has(Scope.ADMIN)).isFalse();
    }

}
