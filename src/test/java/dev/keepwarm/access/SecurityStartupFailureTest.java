package dev.keepwarm.access;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.keepwarm.KeepwarmApplication;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A bad {@code keepwarm.security} stops start-up naming the property, both in the
 * exception and in what Boot prints; a bad key-sha256 (possibly the key itself, pasted by
 * mistake) is shown by its first four characters only.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityStartupFailureTest {

    private static final String HASH = "3f1c4e3fd0c2b4c4b1a3e0e3f5b7a2c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4";

    private static final String OTHER_HASH = "0d1c4e3fd0c2b4c4b1a3e0e3f5b7a2c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4";

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                arguments("short hash",
                        List.of("keepwarm.security.api-keys[0].name=webui",
                                "keepwarm.security.api-keys[0].key-sha256=3f1cdeadbeef"),
                        List.of("keepwarm.security.api-keys[0].key-sha256", "'3f1c...' (12 characters)"),
                        "3f1cdeadbeef"),
                arguments("key pasted instead of its hash",
                        List.of("keepwarm.security.api-keys[0].name=webui",
                                "keepwarm.security.api-keys[0].key-sha256=kw-pasted-secret-key-0123456789"),
                        List.of("keepwarm.security.api-keys[0].key-sha256", "'kw-p...'"), "pasted-secret"),
                arguments("missing hash", List.of("keepwarm.security.api-keys[0].name=webui"),
                        List.of("keepwarm.security.api-keys[0].key-sha256", "an empty value"), null),
                arguments("unknown scope",
                        List.of("keepwarm.security.api-keys[0].name=webui",
                                "keepwarm.security.api-keys[0].key-sha256=" + HASH,
                                "keepwarm.security.api-keys[0].scopes=inference,root"),
                        List.of("keepwarm.security.api-keys[0].scopes", "root"), null),
                arguments("duplicate name", List.of("keepwarm.security.api-keys[0].name=webui",
                        "keepwarm.security.api-keys[0].key-sha256=" + HASH, "keepwarm.security.api-keys[1].name=webui",
                        "keepwarm.security.api-keys[1].key-sha256=" + OTHER_HASH),
                        List.of("keepwarm.security.api-keys[1].name", "'webui'", "names must be unique"), null),
                arguments("blank name",
                        List.of("keepwarm.security.api-keys[0].name= ",
                                "keepwarm.security.api-keys[0].key-sha256=" + HASH),
                        List.of("keepwarm.security.api-keys[0].name", "must not be blank"), null),
                arguments("no scopes", List.of("keepwarm.security.api-keys[0].name=webui",
                        "keepwarm.security.api-keys[0].key-sha256=" + HASH, "keepwarm.security.api-keys[0].scopes="),
                        List.of("keepwarm.security.api-keys[0].scopes", "inference, admin or both"), null),
                arguments("same key twice", List.of("keepwarm.security.api-keys[0].name=webui",
                        "keepwarm.security.api-keys[0].key-sha256=" + HASH, "keepwarm.security.api-keys[1].name=ci",
                        "keepwarm.security.api-keys[1].key-sha256=" + HASH.toUpperCase(java.util.Locale.ROOT)),
                        List.of("keepwarm.security.api-keys[1].key-sha256",
                                "same key as keepwarm.security.api-keys[0]"),
                        null),
                arguments("unknown admin-routes", List.of("keepwarm.security.admin-routes=sometimes"),
                        List.of("keepwarm.security.admin-routes", "sometimes"), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void startUpFailsNamingTheProperty(String name, List<String> properties, List<String> expected, String neverShown,
            CapturedOutput output) {
        List<String> args = new ArrayList<>();
        properties.forEach(property -> args.add("--" + property));
        args.addAll(List.of("--server.port=0", "--management.server.port=0", "--keepwarm.warmer.enabled=false"));

        Throwable failure = catchThrowable(
                () -> new SpringApplicationBuilder(KeepwarmApplication.class).run(args.toArray(String[]::new)).close());

        assertThat(failure).as(name).isNotNull();
        assertThat(causeChain(failure)).as(name).contains(expected);
        assertThat(output.getOut() + output.getErr()).as("what Boot prints").contains(expected.get(0));
        if (neverShown != null) {
            assertThat(causeChain(failure) + output).as(name).doesNotContain(neverShown);
        }
    }

    private static String causeChain(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            text.append(t).append('\n');
        }
        return text.toString();
    }

}
