package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ollama bound to loopback refuses Host headers that are not local (DNS rebinding
 * protection).
 */
class HostCheckTest {

    private static FakeOllama ollama;

    @BeforeAll
    static void start() {
        ollama = FakeOllama.start();
    }

    @AfterAll
    static void stop() {
        ollama.close();
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(
            strings = { "example.com", "example.com:11434", "8.8.8.8:11434", "[2001:db8::1]:80", "localhost.evil" })
    void nonLoopbackHostGets403(String host) {
        String response = get(host);

        assertThat(RawHttp.status(response)).isEqualTo(403);
        assertThat(response).endsWith("\r\n\r\n");
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = { "127.0.0.1:11434", "localhost", "LOCALHOST:80", "[::1]:11434", "127.8.9.10",
            "10.1.2.3:11434", "192.168.1.20", "172.16.0.1", "0.0.0.0:11434", "ollama.local", "box.internal:11434",
            "app.localhost" })
    void loopbackPrivateAndLocalHostsAreServed(String host) {
        String response = get(host);

        assertThat(RawHttp.status(response)).as(response).isEqualTo(200);
    }

    @Test
    void missingHostIsServed() {
        assertThat(RawHttp.status(get(null))).isEqualTo(200);
    }

    @Test
    void refusedRequestIsStillRecordedWithItsHost() {
        get("evil.example:8080");

        assertThat(ollama.lastReceived("/api/version")).get()
            .satisfies(r -> assertThat(r.header("host")).isEqualTo("evil.example:8080"));
    }

    @Test
    void checkCanBeSwitchedOff() {
        ollama.requireLoopbackHost(false);
        try {
            assertThat(RawHttp.status(get("example.com"))).isEqualTo(200);
        }
        finally {
            ollama.requireLoopbackHost(true);
        }
    }

    private static String get(String host) {
        try (RawHttp raw = RawHttp.connect(ollama)) {
            return raw.send("GET", "/api/version", host, null).readToEnd();
        }
    }

}
