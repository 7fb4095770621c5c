package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a response's Content-Type decides flushing and how a broken stream is told to the
 * client.
 */
class StreamKindTest {

    private static final String ERROR_JSON = "{\"error\":\"upstream closed the stream\"}";

    private static final String MESSAGE_JSON = "\"upstream closed the stream\"";

    @ParameterizedTest
    @ValueSource(strings = { "application/x-ndjson", "application/x-ndjson; charset=utf-8", "APPLICATION/X-NDJSON",
            " application/x-ndjson ;charset=UTF-8", "application/ndjson" })
    void ollamasNativeStreamIsNdjsonWhateverItsParametersAndCase(String contentType) {
        assertThat(StreamKind.of(contentType)).isEqualTo(StreamKind.NDJSON);
    }

    @ParameterizedTest
    @ValueSource(strings = { "text/event-stream", "text/event-stream;charset=UTF-8", "Text/Event-Stream" })
    void openAiStreamIsSse(String contentType) {
        assertThat(StreamKind.of(contentType)).isEqualTo(StreamKind.SSE);
    }

    @ParameterizedTest
    @ValueSource(strings = { "application/json", "text/plain; charset=utf-8", "application/x-ndjson-seq",
            "text/event-streams", "", ";charset=utf-8" })
    void anythingElseIsOther(String contentType) {
        assertThat(StreamKind.of(contentType)).isEqualTo(StreamKind.OTHER);
    }

    @Test
    void responseWithoutContentTypeIsOther() {
        assertThat(StreamKind.of(null)).isEqualTo(StreamKind.OTHER);
    }

    @Test
    void streamsAreFlushedChunkByChunkAndOtherBodiesAreNot() {
        assertThat(StreamKind.NDJSON.flushEachChunk()).isTrue();
        assertThat(StreamKind.SSE.flushEachChunk()).isTrue();
        assertThat(StreamKind.OTHER.flushEachChunk()).isFalse();
    }

    @Test
    void brokenNdjsonStreamEndsWithAnErrorLineOfItsOwn() {
        assertThat(text(StreamKind.NDJSON.failure(ERROR_JSON, MESSAGE_JSON, true))).isEqualTo(ERROR_JSON + "\n");
        assertThat(text(StreamKind.NDJSON.failure(ERROR_JSON, MESSAGE_JSON, false)))
            .as("a half-written line is ended first, so the error line parses on its own")
            .isEqualTo("\n" + ERROR_JSON + "\n");
    }

    @Test
    void brokenSseStreamEndsWithAnEventCarryingAnOpenAiShapedError() {
        for (boolean atLineStart : new boolean[] { true, false }) {
            String event = text(StreamKind.SSE.failure(ERROR_JSON, MESSAGE_JSON, atLineStart));

            assertThat(event).startsWith(atLineStart ? "\ndata: " : "\n\ndata: ").endsWith("\n\n");
            JsonNode error = JsonMapper.builder()
                .build()
                .readTree(event.strip().substring("data: ".length()))
                .path("error");
            assertThat(error.path("message").asString()).isEqualTo("upstream closed the stream");
            assertThat(error.path("type").asString()).isEqualTo("api_error");
            assertThat(error.has("param")).isTrue();
            assertThat(error.has("code")).isTrue();
        }
    }

    @Test
    void otherBodiesHaveNoWayToTellAFailure() {
        assertThat(StreamKind.OTHER.failure(ERROR_JSON, MESSAGE_JSON, true)).isNull();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
