package dev.keepwarm.proxy;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/** What Ollama receives through the proxy, per endpoint and policy mode. */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.policy.default.keep-alive=10m",
                "keepwarm.policy.default.mode=fill", "keepwarm.policy.models[0].match=llama3.2:1b",
                "keepwarm.policy.models[0].keep-alive=forever", "keepwarm.policy.models[0].mode=override",
                "keepwarm.policy.models[0].allow-unload=false", "keepwarm.policy.models[0].warm=true",
                "keepwarm.policy.models[0].options.num_ctx=8192", "keepwarm.policy.models[1].match=qwen*",
                "keepwarm.policy.models[1].keep-alive=30m", "keepwarm.policy.models[1].mode=clamp",
                "keepwarm.policy.models[1].min=5m", "keepwarm.policy.models[1].max=1h",
                "keepwarm.policy.models[2].match=nomic-embed-text", "keepwarm.policy.models[2].keep-alive=1h",
                "keepwarm.policy.models[2].mode=fill", "keepwarm.policy.models[3].match=unloadable",
                "keepwarm.policy.models[3].keep-alive=forever", "keepwarm.policy.models[3].allow-unload=true" })
class KeepAliveInjectionTest extends ProxyTestBase {

    @Test
    void pinnedModelGetsForeverAsNumberWhenClientSendsFiveMinutes() {
        post("/api/generate", "{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"keep_alive\":\"5m\"}").expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override");
        JsonNode sent = received("/api/generate");
        assertThat(sent.get("keep_alive").isNumber()).isTrue();
        assertThat(sent.get("keep_alive").asInt()).isEqualTo(-1);
        assertThat(sent.get("prompt").stringValue()).isEqualTo("hi");
    }

    @Test
    void ruleOptionsAreAddedOnlyWhereTheRequestLacksThem() {
        post("/api/chat", "{\"model\":\"llama3.2:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"options\":{\"temperature\":0.70}}")
            .expectStatus()
            .isOk();
        JsonNode options = received("/api/chat").get("options");
        assertThat(options.get("num_ctx").isIntegralNumber()).isTrue();
        assertThat(options.get("num_ctx").asInt()).isEqualTo(8192);
        assertThat(FAKE.lastReceived("/api/chat").orElseThrow().bodyText()).contains("\"temperature\":0.70");

        post("/api/chat", "{\"model\":\"llama3.2:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"options\":{\"num_ctx\":2048}}")
            .expectStatus()
            .isOk();
        assertThat(received("/api/chat").get("options").get("num_ctx").asInt()).isEqualTo(2048);
    }

    @Test
    void defaultPolicyFillsKeepAliveForUnmatchedModelWithoutOne() {
        post("/api/chat", "{\"model\":\"mistral\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "10m; rule=default; action=fill");
        assertThat(received("/api/chat").get("keep_alive").stringValue()).isEqualTo("10m");
    }

    @Test
    void fillKeepsTheClientsOwnValueByteForByte() {
        String body = "{\"model\":\"mistral\",  \"prompt\":\"hi\",\"keep_alive\":\"2m\",\"stream\":false}";
        post("/api/generate", body).expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "2m; rule=default; action=fill");
        assertThat(FAKE.lastReceived("/api/generate").orElseThrow().bodyText()).isEqualTo(body);
    }

    @Test
    void numericStringKeepAliveIsSentAsTheNumberOllamaAccepts() {
        post("/api/embeddings", "{\"model\":\"mistral\",\"prompt\":\"hi\",\"keep_alive\":\"300\"}").expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "300; rule=default; action=fill");
        JsonNode keepAlive = received("/api/embeddings").get("keep_alive");
        assertThat(keepAlive.isNumber()).isTrue();
        assertThat(keepAlive.asInt()).isEqualTo(300);
    }

    @Test
    void unparsableClientValueInFillModeReachesOllamaWhichRejectsIt() {
        post("/api/generate", "{\"model\":\"mistral\",\"prompt\":\"hi\",\"keep_alive\":\"abc\"}").expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("time: invalid duration \"abc\"");
        assertThat(received("/api/generate").get("keep_alive").stringValue()).isEqualTo("abc");
    }

    @Test
    void aClientValueWithALineBreakStillGetsOllamasAnswerAndAOneLineHeader() {
        post("/api/generate", "{\"model\":\"mistral\",\"prompt\":\"hi\",\"keep_alive\":\"5m\\r\\nX-Evil: 1\"}")
            .expectStatus()
            .isBadRequest()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "5m??X-Evil: 1; rule=default; action=fill")
            .expectHeader()
            .doesNotExist("X-Evil");
        assertThat(received("/api/generate").get("keep_alive").stringValue()).isEqualTo("5m\r\nX-Evil: 1");
    }

    @Test
    void clampRaisesShortKeepAliveToMinimumAndCapsForever() {
        post("/api/embed", "{\"model\":\"qwen2.5:7b\",\"input\":\"hi\",\"keep_alive\":\"5s\"}").expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "5m; rule=qwen*; action=clamp");
        assertThat(received("/api/embed").get("keep_alive").stringValue()).isEqualTo("5m");

        post("/api/embed", "{\"model\":\"qwen2.5:7b\",\"input\":\"hi\",\"keep_alive\":-1}").expectStatus().isOk();
        assertThat(received("/api/embed").get("keep_alive").stringValue()).isEqualTo("1h");
    }

    @Test
    void embeddingModelGetsItsRuleKeepAliveOnEmbed() {
        post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b\"]}").expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.embeddings.length()")
            .isEqualTo(2);
        assertThat(received("/api/embed").get("keep_alive").stringValue()).isEqualTo("1h");
    }

    @Test
    void explicitUnloadOfPinnedModelIsRefusedWithoutContactingOllama() {
        post("/api/generate", "{\"model\":\"llama3.2:1b\",\"keep_alive\":0}").expectStatus()
            .isEqualTo(409)
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("model 'llama3.2:1b' is pinned by keepwarm policy 'llama3.2:1b'; unload refused");
        assertThat(FAKE.received("/api/generate")).isEmpty();
    }

    @Test
    void explicitUnloadIsForwardedWhenTheRuleAllowsIt() {
        post("/api/chat", "{\"model\":\"unloadable\",\"messages\":[],\"keep_alive\":0}").expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.done_reason")
            .isEqualTo("unload");
        assertThat(received("/api/chat").get("keep_alive").asInt()).isZero();
    }

    @Test
    void modelNamesMatchLikeOllama() {
        post("/api/generate", "{\"model\":\"LLAMA3.2:1B\",\"prompt\":\"hi\",\"stream\":false}").expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override");
    }

    @Test
    void fieldNamesAreReadCaseInsensitivelyLikeOllamaSoNoSpellingUnpinsAModel() {
        post("/api/generate",
                "{\"Model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"keep_alive\":\"5m\","
                        + "\"KEEP_ALIVE\":\"1m\",\"stream\":false}")
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals("X-Keepwarm-Keep-Alive", "-1; rule=llama3.2:1b; action=override");
        assertThat(received("/api/generate").propertyNames()).containsOnlyOnce("keep_alive")
            .doesNotContain("KEEP_ALIVE");
        assertThat(FAKE.loaded()).anySatisfy(model -> {
            assertThat(model.name()).isEqualTo("llama3.2:1b");
            assertThat(model.forever()).isTrue();
        });
    }

    @Test
    void nonJsonBodyOnRewrittenRouteIsForwardedUnchanged() {
        post("/api/generate", "this is not json").expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.error")
            .exists();
        assertThat(FAKE.lastReceived("/api/generate").orElseThrow().bodyText()).isEqualTo("this is not json");
    }

    private WebTestClient.ResponseSpec post(String path, String json) {
        return client().post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    private static JsonNode received(String path) {
        return FAKE.lastReceived(path)
            .orElseThrow(() -> new AssertionError("Ollama received nothing on " + path))
            .json();
    }

}
