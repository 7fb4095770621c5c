package dev.keepwarm.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.keepwarm.fake.Received;
import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * Where a fleet sends requests: to the host where the model is warm, an unpinned model to
 * the one host rendezvous hashing picks (loaded once across the fleet), never to a host
 * that lacks the model while another has it, and to the host a request names in
 * {@code X-Keepwarm-Upstream}; every proxied answer names its host in that header.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.ps-timeout=450ms", "keepwarm.warmer.interval=500ms",
                "keepwarm.policy.models[0].match=llama3.2:1b", "keepwarm.policy.models[0].keep-alive=forever",
                "keepwarm.policy.models[0].warm=true", "keepwarm.policy.models[0].replicas=1" })
class FleetRoutingTest extends FleetTestBase {

    /**
     * Every host has llama3.2:1b (rendezvous: gpu2, gpu0, gpu1) and mistral (gpu0, gpu1,
     * gpu2); only gpu1, rendezvous's last choice for it, has llama3.2 (gpu0, gpu2, gpu1).
     */
    private static final FakeFleet FLEET = FakeFleet.start(3,
            fake -> fake.withModel("llama3.2:1b").withModel("mistral").tokens(3, Duration.ZERO));

    static {
        FLEET.host("gpu1").withModel("llama3.2");
    }

    @BeforeEach
    void placed() {
        await().atMost(PLACE_WAIT).until(() -> FLEET.pinnedOn("llama3.2:1b").contains("gpu2"));
    }

    @Test
    void rendezvousOrdersAreTheOnesThisTestExpects() {
        assertThat(Rendezvous.order("llama3.2:1b", FLEET.names())).containsExactly("gpu2", "gpu0", "gpu1");
        assertThat(Rendezvous.order("mistral", FLEET.names())).containsExactly("gpu0", "gpu1", "gpu2");
        assertThat(Rendezvous.order("llama3.2", FLEET.names())).containsExactly("gpu0", "gpu2", "gpu1");
    }

    @Test
    void aGenerateForAWarmModelGoesToTheHostWhereItIsWarm() {
        String prompt = unique();
        EntityExchangeResult<String> answer = post("/api/generate", generateBody("llama3.2:1b", prompt), null);

        assertThat(answer.getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu2");
        assertThat(hostsThatReceived("/api/generate", prompt)).containsExactly("gpu2");
    }

    @Test
    void anOpenAiChatCompletionForAWarmModelGoesToTheHostWhereItIsWarm() {
        String prompt = unique();
        EntityExchangeResult<String> answer = post("/v1/chat/completions",
                "{\"model\":\"llama3.2:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}", null);

        assertThat(answer.getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu2");
        assertThat(hostsThatReceived("/v1/chat/completions", prompt)).containsExactly("gpu2");
    }

    @Test
    void anUnpinnedModelAskedForManyTimesIsLoadedOnceOnTheHostRendezvousPicks() {
        for (int i = 0; i < 6; i++) {
            EntityExchangeResult<String> answer = post("/api/generate", generateBody("mistral", unique()), null);
            assertThat(answer.getStatus()).isEqualTo(HttpStatus.OK);
            assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).as("request %d", i).isEqualTo("gpu0");
        }
        assertThat(FLEET.loadCounts("mistral"))
            .containsExactlyInAnyOrderEntriesOf(Map.of("gpu0", 1, "gpu1", 0, "gpu2", 0));
        assertThat(FLEET.loadedOn("mistral")).containsExactly("gpu0");
    }

    @Test
    void aModelInOneHostsCatalogueGoesThereThoughRendezvousPrefersOthers() {
        for (int i = 0; i < 3; i++) {
            EntityExchangeResult<String> answer = post("/api/generate", generateBody("llama3.2", unique()), null);
            assertThat(answer.getStatus()).as(answer.getResponseBody()).isEqualTo(HttpStatus.OK);
            assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu1");
        }
        assertThat(FLEET.receivedFor("/api/generate", "llama3.2").get("gpu0")).isEmpty();
        assertThat(FLEET.receivedFor("/api/generate", "llama3.2").get("gpu2")).isEmpty();
    }

    @Test
    void theRequestHeaderSendsARequestToTheNamedHostThoughTheModelIsWarmElsewhere() {
        String prompt = unique();
        EntityExchangeResult<String> answer = post("/api/generate", generateBody("llama3.2:1b", prompt), "gpu1");

        assertThat(answer.getStatus()).isEqualTo(HttpStatus.OK);
        assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu1");
        assertThat(hostsThatReceived("/api/generate", prompt)).containsExactly("gpu1");
    }

    /**
     * FAILS, a bug in warmer/Pinger.java (demote, line 150): the demotion ping sends no
     * keep_alive, and Ollama keeps a loaded model's keep_alive when a request carries
     * none (OLLAMA-API.md, "Who sets a loaded model's expiry"), so the extra copy stays
     * pinned forever. It has to send an explicit duration (the default policy's
     * keep-alive, else Ollama's default 5m). Left failing on purpose: Pinger is outside
     * this change.
     */
    @Test
    void aCopyLoadedBeyondTheRulesReplicasIsDemotedSoItExpiresWhenIdle() {
        String prompt = unique();
        EntityExchangeResult<String> answer = post("/api/generate", generateBody("llama3.2:1b", prompt), "gpu1");
        assertThat(answer.getResponseHeaders().getFirst(UPSTREAM)).isEqualTo("gpu1");

        // the named request pinned a second copy on gpu1 (the policy's keep-alive); the
        // rule wants one, on gpu2: gpu1's is re-armed to expire when idle
        await().atMost(PLACE_WAIT)
            .untilAsserted(() -> assertThat(FLEET.host("gpu1").loaded())
                .anySatisfy(m -> assertThat(m.name()).isEqualTo("llama3.2:1b"))
                .allSatisfy(m -> assertThat(m.forever()).as("%s on gpu1 pinned", m.name()).isFalse()));
        assertThat(FLEET.pinnedOn("llama3.2:1b")).containsExactly("gpu2");
    }

    @Test
    void anUnknownHostInTheRequestHeaderIsA404NamingIt() {
        String prompt = unique();
        EntityExchangeResult<String> answer = post("/api/generate", generateBody("llama3.2:1b", prompt), "gpu9");

        assertThat(answer.getStatus()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(answer.getResponseHeaders().getContentType()).isNotNull()
            .satisfies(type -> assertThat(type.isCompatibleWith(MediaType.APPLICATION_JSON)).isTrue());
        assertThat(answer.getResponseBody()).startsWith("{\"error\":\"").contains("gpu9");
        assertThat(hostsThatReceived("/api/generate", prompt)).as("hosts that got the request").isEmpty();
    }

    @Test
    void everyProxiedAnswerNamesTheHostThatGaveIt() {
        List<EntityExchangeResult<String>> answers = List.of(exchange(HttpMethod.GET, "/", null),
                exchange(HttpMethod.GET, "/api/tags", null), exchange(HttpMethod.GET, "/api/version", null),
                exchange(HttpMethod.GET, "/api/ps", null),
                exchange(HttpMethod.POST, "/api/show", "{\"model\":\"llama3.2\"}"),
                exchange(HttpMethod.POST, "/api/generate", "{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\"}"),
                exchange(HttpMethod.POST, "/api/chat",
                        "{\"model\":\"llama3.2:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                exchange(HttpMethod.POST, "/api/generate", "{\"model\":\"no-such-model\",\"prompt\":\"hi\"}"));

        for (EntityExchangeResult<String> answer : answers) {
            // an answer about the whole fleet (tags, version, ps) names every host that
            // gave it
            assertThat(answer.getResponseHeaders().getFirst(UPSTREAM).split(","))
                .as("%s %s -> %s", answer.getMethod(), answer.getUrl(), answer.getStatus())
                .isSubsetOf(FLEET.names());
        }
        assertThat(answers.get(1).getResponseHeaders().getFirst(UPSTREAM)).as("/api/tags")
            .isEqualTo(String.join(",", FLEET.names()));
        assertThat(answers.get(4).getResponseHeaders().getFirst(UPSTREAM)).as("/api/show of llama3.2")
            .isEqualTo("gpu1");
        assertThat(answers.get(7).getStatus()).as("Ollama's own 404").isEqualTo(HttpStatus.NOT_FOUND);
    }

    private EntityExchangeResult<String> post(String path, String body, String host) {
        return host == null ? exchange(HttpMethod.POST, path, body)
                : proxy().post()
                    .uri(path)
                    .header(UPSTREAM, host)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(body)
                    .exchange()
                    .expectBody(String.class)
                    .returnResult();
    }

    private EntityExchangeResult<String> exchange(HttpMethod method, String path, String body) {
        var request = proxy().method(method).uri(path);
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        }
        return request.exchange().expectBody(String.class).returnResult();
    }

    private static String generateBody(String model, String prompt) {
        return "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt + "\",\"stream\":false}";
    }

    private static String unique() {
        return UUID.randomUUID().toString();
    }

    /** The hosts whose journal on the path has a request whose body carries the text. */
    private static List<String> hostsThatReceived(String path, String text) {
        return FLEET.names()
            .stream()
            .filter(name -> FLEET.host(name)
                .received(path)
                .stream()
                .map(Received::bodyText)
                .anyMatch(body -> body.contains(text)))
            .toList();
    }

}
