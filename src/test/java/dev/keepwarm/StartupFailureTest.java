package dev.keepwarm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * A bad configuration stops keepwarm at start-up with a message naming the property and
 * the bad value.
 */
class StartupFailureTest {

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                arguments("bad duration", "keepwarm.policy.models[0].keep-alive=5 minutes",
                        "keepwarm.policy.models[0].keep-alive", "5 minutes"),
                arguments("clamp with min > max",
                        "keepwarm.policy.models[0].mode=clamp,keepwarm.policy.models[0].min=2h,"
                                + "keepwarm.policy.models[0].max=1h",
                        "keepwarm.policy.models[0]", "min (2h) is greater than max (1h)"),
                arguments("unknown mode", "keepwarm.policy.models[0].mode=sticky", "keepwarm.policy.models[0].mode",
                        "sticky"),
                arguments("empty match", "keepwarm.policy.models[0].match=", "models[0].match", "must not be blank"),
                arguments("bad url", "keepwarm.upstream.url=ftp://ollama:11434", "keepwarm.upstream.url",
                        "ftp://ollama:11434"),
                arguments("bad default keep-alive", "keepwarm.policy.default.keep-alive=soon",
                        "keepwarm.policy.default.keep-alive", "soon"),
                arguments("bad trusted proxy", "keepwarm.proxy.trusted-proxies=10.0.0.0/8;10.0.0.0/33",
                        "keepwarm.proxy.trusted-proxies[1]", "10.0.0.0/33"),
                arguments("unknown ssl bundle",
                        "keepwarm.upstream.url=https://127.0.0.1:1,keepwarm.upstream.ssl-bundle=nope",
                        "keepwarm.upstream.ssl-bundle", "SSL bundle 'nope', which does not exist"),
                arguments("ssl bundle without an https host", "keepwarm.upstream.ssl-bundle=ollama",
                        "keepwarm.upstream.ssl-bundle", "no Ollama host is https (keepwarm.upstream.url is http://"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void startupFailsNamingThePropertyAndValue(String name, String properties, String property, String value) {
        // a valid rule, with the bad keys replacing its own (a repeated command-line key
        // would join the values)
        Map<String, String> config = new LinkedHashMap<>();
        config.put("keepwarm.policy.models[0].match", "llama3.2:1b");
        config.put("keepwarm.policy.models[0].keep-alive", "forever");
        for (String entry : properties.split(",")) {
            // ';' stands for a list's ',' (the entries here are split on ',')
            config.put(entry.substring(0, entry.indexOf("=")),
                    entry.substring(entry.indexOf("=") + 1).replace(';', ','));
        }
        config.put("server.port", "0");
        config.put("management.server.port", "0");
        String[] args = config.entrySet()
            .stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
        Throwable failure = catchThrowable(
                () -> new SpringApplicationBuilder(KeepwarmApplication.class).run(args).close());

        assertThat(failure).as(name).isNotNull();
        String messages = allMessages(failure);
        assertThat(messages).as(name).contains(property).contains(value);
    }

    private static String allMessages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            text.append(t).append('\n');
        }
        text.append(NestedExceptionUtils.getMostSpecificCause(failure));
        return text.toString();
    }

}
