package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Bodies larger than max-request-size get 413; below it there is no other limit, base64
 * images included.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT, properties = { "keepwarm.warmer.enabled=false",
        "keepwarm.proxy.max-request-size=24MB", "keepwarm.policy.default.keep-alive=10m" })
class RequestSizeTest extends ProxyTestBase {

    @Test
    void twentyMegabyteImageRequestIsRewrittenAndDeliveredIntact() {
        String image = imageOfBytes(20 * 1024 * 1024);
        String body = "{\"model\":\"mistral\",\"prompt\":\"describe\",\"stream\":false,\"images\":[\"" + image + "\"]}";
        client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isOk();
        var sent = FAKE.lastReceived("/api/generate").orElseThrow().json();
        assertThat(sent.get("images").get(0).stringValue()).isEqualTo(image);
        assertThat(sent.get("keep_alive").stringValue()).isEqualTo("10m");
    }

    @Test
    void bodyOverTheLimitGets413WithoutContactingOllama() {
        String body = "{\"model\":\"mistral\",\"prompt\":\"" + imageOfBytes(25 * 1024 * 1024) + "\"}";
        client().post()
            .uri("/api/chat")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(body)
            .exchange()
            .expectStatus()
            .isEqualTo(413)
            .expectBody()
            .jsonPath("$.error")
            .isEqualTo("keepwarm: request body is larger than keepwarm.proxy.max-request-size (24MB)");
        assertThat(FAKE.received("/api/chat")).isEmpty();
    }

    @Test
    void chunkedBodyOverTheLimitGets413Too() {
        String chunk = imageOfBytes(1024 * 1024);
        Flux<DataBuffer> body = Flux.range(0, 26)
            .map(i -> DefaultDataBufferFactory.sharedInstance
                .wrap((i == 0 ? "{\"model\":\"mistral\",\"prompt\":\"" + chunk : chunk)
                    .getBytes(StandardCharsets.UTF_8)));
        client().post()
            .uri("/api/chat")
            .contentType(MediaType.APPLICATION_JSON)
            .body(body, DataBuffer.class)
            .exchange()
            .expectStatus()
            .isEqualTo(413);
        assertThat(FAKE.received("/api/chat")).isEmpty();
    }

    private static String imageOfBytes(int length) {
        char[] base64 = new char[length];
        Arrays.fill(base64, 'A');
        return new String(base64);
    }

}
