package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Streaming pace, clients that hang up, and the faults a test can arm. */
class DisconnectAndFaultsTest {

    private static final String GENERATE = "{\"model\":\"llama3.2\",\"prompt\":\"hi\"}";

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T10:00:00Z"));

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start(clock).withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofMillis(20)));
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void streamedChunksArriveSpacedNotBatched() {
        ollama.tokens(4, Duration.ofMillis(150));

        List<TestClient.TimedLine> lines = client.postStreaming("/api/generate", GENERATE);

        assertThat(lines).hasSize(5);
        for (int i = 1; i < 4; i++) {
            long gap = lines.get(i).arrivedNanos() - lines.get(i - 1).arrivedNanos();
            assertThat(Duration.ofNanos(gap)).as("gap before token %d", i).isGreaterThan(Duration.ofMillis(75));
        }
    }

    @Test
    void clientDisconnectDuringLoadAbortsTheLoad() {
        ollama.withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofSeconds(3)));
        try (RawHttp raw = RawHttp.connect(ollama)) {
            raw.send("POST", "/api/generate", "127.0.0.1:" + ollama.port(), "{\"model\":\"llama3.2\"}");
            await().atMost(Duration.ofSeconds(2)).until(() -> !ollama.loaded().isEmpty());
        }

        await().atMost(Duration.ofSeconds(1)).until(() -> ollama.loaded().isEmpty());
        assertThat(ollama.cancelled()).singleElement()
            .satisfies(r -> assertThat(r.bodyText()).isEqualTo("{\"model\":\"llama3.2\"}"));
        assertThat(ollama.loadCount("llama3.2")).isZero();
    }

    @Test
    void loadContinuesWhileAnotherRequestStillWaitsForIt() {
        ollama.withModel(ModelSpec.of("llama3.2").withLoadTime(Duration.ofMillis(500)));
        var staying = client.postAsync("/api/generate", "{\"model\":\"llama3.2\"}");
        try (RawHttp raw = RawHttp.connect(ollama)) {
            raw.send("POST", "/api/generate", "127.0.0.1:" + ollama.port(), "{\"model\":\"llama3.2\"}");
            await().atMost(Duration.ofSeconds(2)).until(() -> ollama.received().size() == 2);
        }

        assertThat(staying.join().statusCode()).isEqualTo(200);
        assertThat(ollama.loadCount("llama3.2")).isEqualTo(1);
        assertThat(ollama.cancelled()).hasSize(1);
    }

    @Test
    void clientDisconnectMidStreamStopsGenerationAndFinishesTheRequest() {
        ollama.tokens(50, Duration.ofMillis(50));
        try (RawHttp raw = RawHttp.connect(ollama)) {
            raw.send("POST", "/api/generate", "127.0.0.1:" + ollama.port(), GENERATE);
            assertThat(raw.readLine()).startsWith("HTTP/1.1 200");
            while (!raw.readLine().contains("\"done\":false")) {
                // skip headers and chunk sizes until the first token
            }
        }

        await().atMost(Duration.ofSeconds(2)).until(() -> ollama.cancelled().size() == 1);
        clock.advance(Duration.ofMinutes(5));
        assertThat(ollama.loaded()).as("no request in flight any more, so it expired").isEmpty();
    }

    @Test
    void completedRequestsAreNotCancelled() {
        client.post("/api/generate", GENERATE);
        client.post("/api/generate", "{\"model\":\"llama3.2\"}");
        for (String body : List.of(GENERATE, "{\"model\":\"llama3.2\"}")) {
            try (RawHttp raw = RawHttp.connect(ollama)) {
                raw.send("POST", "/api/generate", "localhost", body).readToEnd();
            }
        }

        assertThat(ollama.cancelled()).isEmpty();
    }

    @Test
    void failNextAnswersTheCannedErrorOnce() {
        String busy = "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}";
        ollama.failNext("/api/generate", 503, busy);

        HttpResponse<String> failed = client.post("/api/generate", GENERATE);
        HttpResponse<String> next = client.post("/api/generate", GENERATE);

        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.body()).isEqualTo(busy);
        assertThat(failed.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(ollama.received("/api/generate")).hasSize(2);
        assertThat(ollama.loadCount("llama3.2")).isEqualTo(1);
    }

    @Test
    void dieMidStreamClosesTheConnectionAfterTheChunks() {
        ollama.tokens(5, Duration.ofMillis(10));
        ollama.dieMidStreamNext("/api/generate", 2);

        List<String> lines = new ArrayList<>();
        try (RawHttp raw = RawHttp.connect(ollama)) {
            raw.send("POST", "/api/generate", "127.0.0.1:" + ollama.port(), GENERATE);
            for (String line = raw.readLine(); line != null; line = raw.readLine()) {
                lines.add(line);
            }
        }

        assertThat(lines.get(0)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(lines).filteredOn(l -> l.startsWith("{"))
            .hasSize(2)
            .allSatisfy(l -> assertThat(l).contains("\"done\":false"));
        assertThat(lines).as("no last chunk").doesNotContain("0");
        assertThat(ollama.cancelled()).isEmpty();
        assertThat(client.post("/api/generate", GENERATE).statusCode()).as("only the next one dies").isEqualTo(200);
    }

    @Test
    void dieMidStreamIsSeenAsPrematureCloseByHttpClients() {
        ollama.dieMidStreamNext("/api/chat", 1);

        assertThatThrownBy(() -> client.postOrFail("/api/chat",
                "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .isInstanceOf(IOException.class);
    }

    @Test
    void dieMidStreamWaitsForAStreamedAnswer() {
        ollama.dieMidStreamNext("/api/generate", 0);

        assertThat(client.post("/api/generate", "{\"model\":\"llama3.2\"}").statusCode())
            .as("a load ping is not streamed")
            .isEqualTo(200);
        assertThatThrownBy(() -> client.postOrFail("/api/generate", GENERATE)).isInstanceOf(IOException.class);
    }

}
