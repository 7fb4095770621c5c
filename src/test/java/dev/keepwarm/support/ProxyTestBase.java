package dev.keepwarm.support;

import java.time.Duration;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.ModelSpec;
import org.junit.jupiter.api.BeforeEach;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyExtractors;

/**
 * Base of the tests that run the real proxy (a {@code @SpringBootTest} on a random port)
 * against one in-process fake Ollama shared by every test class; each test starts from a
 * fake that has forgotten what it received.
 */
public abstract class ProxyTestBase {

    /** Models the fake knows; loads are instant unless a test says otherwise. */
    protected static final FakeOllama FAKE = FakeOllama.start()
        .withModel("llama3.2:1b")
        .withModel("llama3.2")
        .withModel("mistral")
        .withModel("qwen2.5:7b")
        .withModel("unloadable")
        .withModel(new ModelSpec("nomic-embed-text", Duration.ZERO, true, 274_000_000L, 2048));

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void upstream(DynamicPropertyRegistry registry) {
        registry.add("keepwarm.upstream.url", () -> FAKE.url().toString());
        registry.add("management.server.port", () -> "0");
    }

    @BeforeEach
    void forgetPreviousTest() {
        FAKE.reset();
        FAKE.tokens(3, Duration.ZERO);
    }

    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    protected WebTestClient client() {
        return webTestClient(baseUrl());
    }

    /**
     * A streamed generate for the fake's model through keepwarm, answered 200: its whole
     * body.
     */
    protected String streamedGenerate() {
        return client().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"mistral\",\"prompt\":\"hi\"}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
    }

    /**
     * A WebTestClient that reads every response body whole, so an assertion chain that
     * never looks at the body still releases Netty's buffers (the leak detector fails the
     * build otherwise).
     */
    public static WebTestClient webTestClient(String baseUrl) {
        return WebTestClient.bindToServer()
            .baseUrl(baseUrl)
            .responseTimeout(Duration.ofSeconds(30))
            .filter((request, next) -> next.exchange(request)
                .flatMap(response -> DataBufferUtils.join(response.body(BodyExtractors.toDataBuffers())).map(joined -> {
                    byte[] bytes = new byte[joined.readableByteCount()];
                    joined.read(bytes);
                    DataBufferUtils.release(joined);
                    return bytes;
                })
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> response.mutate()
                        .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)))
                        .build())))
            .build();
    }

}
