package dev.keepwarm.support;

import java.time.Duration;
import java.util.List;

import dev.keepwarm.fake.FakeOllama;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextCustomizerFactories;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Base of the fleet's integration tests (a {@code @SpringBootTest} on a random port,
 * declared by the subclass with its own properties): keepwarm runs on {@link TestClock}
 * in front of the class's own {@link FakeFleet}, its one static FakeFleet field, which
 * {@link FakeFleet.Hosts} points keepwarm at and closes after the class's context.
 */
@Import(TestClock.class)
@DirtiesContext
@ContextCustomizerFactories(FakeFleet.Hosts.class)
@ExtendWith(FakeFleet.Hosts.class)
public abstract class FleetTestBase {

    /** The response header naming the host that answered (and a request header's pin). */
    protected static final String UPSTREAM = "X-Keepwarm-Upstream";

    /** How long placement may take: a few intervals and a load per host. */
    protected static final Duration PLACE_WAIT = Duration.ofSeconds(10);

    /** How long a few reconcile passes may take. */
    private static final Duration PASSES_WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected WebTestClient proxy() {
        return ProxyTestBase.webTestClient("http://localhost:" + port);
    }

    protected WebTestClient management() {
        return ProxyTestBase.webTestClient("http://localhost:" + managementPort);
    }

    /**
     * Waits until the model is pinned on exactly these hosts (and loaded nowhere else).
     */
    protected static void awaitPinnedOn(FakeFleet fleet, String model, List<String> hosts) {
        await().atMost(PLACE_WAIT)
            .untilAsserted(() -> assertThat(fleet.pinnedOn(model)).as("hosts where %s is pinned", model)
                .containsExactlyInAnyOrderElementsOf(hosts));
    }

    /**
     * Waits until {@code passes} reconcile passes that began after this call have ended,
     * counted in the /api/ps GETs of a host that answers (every pass asks every host
     * once, and passes never overlap).
     */
    protected static void awaitPasses(FakeOllama host, int passes) {
        int start = host.received("/api/ps").size();
        await().atMost(PASSES_WAIT).until(() -> host.received("/api/ps").size() >= start + passes + 1);
    }

    /** A non-streamed generate for the model, with a prompt, through keepwarm. */
    protected EntityExchangeResult<String> generate(String model) {
        return generate(model, null);
    }

    /**
     * A non-streamed generate for the model through keepwarm, sent to the named host when
     * {@code host} is not null.
     */
    protected EntityExchangeResult<String> generate(String model, @Nullable String host) {
        WebTestClient.RequestBodySpec request = proxy().post()
            .uri("/api/generate")
            .contentType(MediaType.APPLICATION_JSON);
        if (host != null) {
            request.header(UPSTREAM, host);
        }
        return request.bodyValue("{\"model\":\"" + model + "\",\"prompt\":\"hi\",\"stream\":false}")
            .exchange()
            .expectBody(String.class)
            .returnResult();
    }

}
