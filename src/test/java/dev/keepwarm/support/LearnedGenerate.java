package dev.keepwarm.support;

import java.time.Duration;

import dev.keepwarm.warmer.KeepAliveLearner;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import static org.awaitility.Awaitility.await;

/**
 * A non-streamed generate through keepwarm in adaptive mode, answered 200, returned once
 * the learner has seen it end (it counts no request of the model in flight): what the
 * next request is told then follows from this one.
 */
public final class LearnedGenerate {

    private LearnedGenerate() {
    }

    /** The response's X-Keepwarm-Keep-Alive. */
    public static String keepAlive(int port, String model, KeepAliveLearner learner) {
        return headers(port, model, "", null, learner).getFirst("X-Keepwarm-Keep-Alive");
    }

    /**
     * The response's headers.
     * @param extraFields JSON members appended to the body, each with its leading comma
     * @param upstream the X-Keepwarm-Upstream to send (a fleet's host), or null
     */
    public static HttpHeaders headers(int port, String model, String extraFields, @Nullable String upstream,
            KeepAliveLearner learner) {
        HttpHeaders headers = ProxyTestBase.webTestClient("http://localhost:" + port)
            .post()
            .uri("/api/generate")
            .headers(request -> {
                if (upstream != null) {
                    request.set("X-Keepwarm-Upstream", upstream);
                }
            })
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false" + extraFields + "}")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseHeaders();
        await().atMost(Duration.ofSeconds(5))
            .until(() -> learner.view(model).map(view -> view.inFlight() == 0).orElse(false));
        return headers;
    }

}
