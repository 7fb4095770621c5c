package dev.keepwarm.proxy;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.keepwarm.proxy.FanOutStream.HostAnswer;
import dev.keepwarm.proxy.FleetAnswers.Answer;
import dev.keepwarm.proxy.FleetAnswers.HostBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class FleetAnswersTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String LLAMA_GPU0 = "{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\","
            + "\"modified_at\":\"2026-11-30T10:00:00.123456789+01:00\",\"size\":2019393189,"
            + "\"digest\":\"a80c4f17acd5\",\"details\":{\"format\":\"gguf\",\"families\":[\"llama\"]},"
            + "\"capabilities\":[\"completion\",\"tools\"]}";

    private static final String LLAMA_GPU1 = "{\"name\":\"Llama3.2\",\"model\":\"Llama3.2\","
            + "\"modified_at\":\"2026-12-02T08:00:00Z\",\"size\":1,\"digest\":\"ffff\"}";

    private static final String QWEN = "{\"name\":\"qwen3:8b\",\"model\":\"qwen3:8b\","
            + "\"modified_at\":\"2026-12-01T09:00:00Z\",\"size\":5,\"digest\":\"b1\"}";

    // --- GET /api/tags

    @Test
    void aModelOnTwoHostsIsListedOnceAsTheFirstHostSentIt() {
        Answer tags = FleetAnswers.tags(List.of(ok("gpu0", models(LLAMA_GPU0)), ok("gpu1", models(QWEN, LLAMA_GPU1)),
                ok("gpu2", models("{\"name\":\"registry.ollama.ai/library/llama3.2:latest\"}"))));
        assertThat(tags.status()).isEqualTo(200);
        // newest first: qwen (Dec 1) before gpu0's llama (Nov 30), whatever gpu1's llama
        // says
        assertThat(tags.text()).isEqualTo(models(QWEN, LLAMA_GPU0));
    }

    static Stream<Arguments> tagOrders() {
        return Stream.of(
                arguments("newest first, offsets compared as instants",
                        List.of(List.of(tag("a", "2026-12-01T10:00:00+02:00"), tag("b", "2026-12-01T09:00:00Z")),
                                List.of(tag("c", "2026-12-01T08:30:00Z"))),
                        List.of("b", "c", "a")),
                arguments("the same second keeps the hosts' order, as Go's stable sort by Unix()",
                        List.of(List.of(tag("a", "2026-12-01T09:00:00.1Z")),
                                List.of(tag("b", "2026-12-01T09:00:00.9Z"), tag("c", "2026-12-01T09:00:00Z"))),
                        List.of("a", "b", "c")),
                arguments("a model without a readable time last, as Go's zero time",
                        List.of(List.of(tag("a", "yesterday"), tag("b", "2026-12-01T09:00:00Z")),
                                List.of("{\"name\":\"c\"}", tag("d", "1999-01-01T00:00:00Z"))),
                        List.of("b", "d", "a", "c")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tagOrders")
    void tagsAreSortedAsOllamaSortsThem(String why, List<List<String>> catalogues, List<String> names) {
        List<HostBody> hosts = List.of(ok("gpu0", models(catalogues.get(0).toArray(String[]::new))),
                ok("gpu1", models(catalogues.get(1).toArray(String[]::new))));
        assertThat(names(FleetAnswers.tags(hosts))).containsExactlyElementsOf(names);
    }

    @Test
    void hostsThatFailedAreLeftOutAndTheRestAnswered() {
        Answer tags = FleetAnswers.tags(List.of(new HostBody("gpu0", 500, bytes("{\"error\":\"boom\"}")),
                HostBody.unreachable("gpu1", "Connection refused"), ok("gpu2", "<html>"), ok("gpu3", models(QWEN)),
                ok("gpu4", models(LLAMA_GPU0) + "x")));
        assertThat(tags.status()).isEqualTo(200);
        assertThat(tags.text()).isEqualTo(models(QWEN));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "{\"models\":null}", "{\"models\":[]}" })
    void anEmptyCatalogueIsAnEmptyList(String body) {
        assertThat(FleetAnswers.tags(List.of(ok("gpu0", body))).text()).isEqualTo("{\"models\":[]}");
    }

    static Stream<Arguments> noHostAnswered() {
        return Stream.of(
                arguments(new HostBody("gpu0", 500, bytes("{\"error\":\"model list cache unavailable\"}")),
                        "gpu0: HTTP 500: model list cache unavailable"),
                arguments(HostBody.unreachable("gpu0", new ConnectException("Connection refused: /10.0.0.5:11434")),
                        "gpu0: connection error: Connection refused: /10.0.0.5:11434"),
                arguments(new HostBody("gpu0", 403, new byte[0]), "gpu0: HTTP 403"),
                arguments(new HostBody("gpu0", 502, bytes("<html>Bad Gateway</html>\n")),
                        "gpu0: HTTP 502: <html>Bad Gateway</html>"),
                arguments(ok("gpu0", "{\"models\":[1]}"), "gpu0: unreadable answer: a model that is no JSON object"),
                arguments(ok("gpu0", "{\"tags\":[]}"), "gpu0: unreadable answer: no models array"),
                arguments(ok("gpu0", "[]"), "gpu0: unreadable answer: not a JSON object"),
                arguments(ok("gpu0", ""), "gpu0: unreadable answer: not a JSON object"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("noHostAnswered")
    void whenNoHostAnsweredTheClientGetsA502SayingWhy(HostBody host, String why) {
        Answer tags = FleetAnswers.tags(List.of(host));
        assertThat(tags.status()).isEqualTo(502);
        assertThat(error(tags)).isEqualTo("keepwarm: no Ollama host answered GET /api/tags: " + why);
    }

    @Test
    void everyHostIsNamedInOrderAndTheirWordsAreEscaped() {
        Answer tags = FleetAnswers.tags(List.of(HostBody.unreachable("gpu0", new IOException()),
                ok("gpu1", "{\"models\":"), new HostBody("gpu2", 500, bytes("{\"error\":\"bad \\\"x\\\"\\n\"}"))));
        assertThat(tags.status()).isEqualTo(502);
        assertThat(error(tags))
            .startsWith("keepwarm: no Ollama host answered GET /api/tags: "
                    + "gpu0: connection error: IOException; gpu1: unreadable answer: ")
            .endsWith("; gpu2: HTTP 500: bad \"x\"\n");
    }

    // --- GET /api/ps

    @Test
    void psListsWhatRunsWhereWithTheHostFirstLongestLeftFirst() {
        String llama = "{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\",\"size\":3,"
                + "\"expires_at\":\"2026-12-03T10:05:00.5+01:00\",\"size_vram\":3,\"context_length\":4096}";
        String pinned = "{\"name\":\"llama3.2:latest\",\"expires_at\":\"2318-03-14T05:16:10.854775807Z\"}";
        String qwen = "{\"name\":\"qwen3:8b\",\"expires_at\":\"2026-12-03T09:10:00Z\",\"host\":\"spoofed\"}";
        Answer ps = FleetAnswers.ps(List.of(ok("gpu0", models(llama, qwen)), ok("gpu1", "{\"models\":[]}"),
                new HostBody("gpu2", 500, new byte[0]), ok("gpu3", models(pinned))));
        assertThat(ps.status()).isEqualTo(200);
        assertThat(ps.text()).isEqualTo(models(withHost("gpu3", pinned),
                withHost("gpu0", qwen.replace(",\"host\":\"spoofed\"", "")), withHost("gpu0", llama)));
    }

    @Test
    void psWithNoHostAnsweringIsA502NamingThem() {
        Answer ps = FleetAnswers.ps(List.of(new HostBody("gpu0", 503, bytes("{\"error\":\"server busy\"}")),
                HostBody.unreachable("gpu1", "timed out")));
        assertThat(ps.status()).isEqualTo(502);
        assertThat(error(ps)).isEqualTo("keepwarm: no Ollama host answered GET /api/ps: gpu0: HTTP 503: server busy; "
                + "gpu1: connection error: timed out");
    }

    // --- GET /api/version

    static Stream<Arguments> versions() {
        return Stream.of(arguments(List.of("0.33.0", "0.33.0-rc2", "0.33.1"), "0.33.0-rc2"),
                arguments(List.of("0.10.0", "0.9.0"), "0.9.0"), arguments(List.of("0.33.0"), "0.33.0"),
                arguments(List.of("0.33.0", "0.0.0-dev"), "0.0.0-dev"),
                arguments(List.of("0.33.0", " 0.32.4 "), "0.32.4"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("versions")
    void theFleetReportsItsOldestVersion(List<String> versions, String oldest) {
        List<HostBody> hosts = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            hosts.add(ok("gpu" + i, "{\"version\":\"" + versions.get(i) + "\"}"));
        }
        assertThat(FleetAnswers.version(hosts).text()).isEqualTo("{\"version\":\"" + oldest + "\"}");
    }

    @Test
    void aHostThatDidNotSayItsVersionDoesNotCount() {
        Answer version = FleetAnswers.version(List.of(HostBody.unreachable("gpu0", "reset"),
                ok("gpu1", "{\"version\":0.1}"), ok("gpu2", "{\"version\":\"0.34.0\"}")));
        assertThat(version.status()).isEqualTo(200);
        assertThat(version.text()).isEqualTo("{\"version\":\"0.34.0\"}");
    }

    @Test
    void noVersionAtAllIsA502() {
        Answer version = FleetAnswers.version(List.of(ok("gpu0", "{\"version\":null}")));
        assertThat(version.status()).isEqualTo(502);
        assertThat(error(version))
            .isEqualTo("keepwarm: no Ollama host answered GET /api/version: gpu0: unreadable answer: no version");
    }

    // --- fan-out of a state-changing route

    static Stream<Arguments> fanOuts() {
        String notFound = "{\"error\":\"model 'llama3.2' not found\"}";
        return Stream.of(
                arguments("delete everywhere: Ollama's empty 200", "delete", List.of(ok("gpu0", ""), ok("gpu1", "")),
                        200, ""),
                arguments("blob upload everywhere: the first host's 201", "upload",
                        List.of(new HostBody("gpu0", 201, new byte[0]), new HostBody("gpu1", 201, new byte[0])), 201,
                        ""),
                arguments("pull without stream: the first host's success", "pull",
                        List.of(ok("gpu0", "{\"status\":\"success\"}"), ok("gpu1", "{\"status\":\"success\"}")), 200,
                        "{\"status\":\"success\"}"),
                arguments("one host lacks the model: its 404, named", "delete",
                        List.of(ok("gpu0", ""), new HostBody("gpu1", 404, bytes(notFound))), 404,
                        "{\"error\":\"delete failed on gpu1: HTTP 404: model 'llama3.2' not found\"}"),
                arguments("every failure named in order, the first one's status", "copy",
                        List.of(new HostBody("gpu0", 500, bytes("{\"error\":\"disk full\"}")), ok("gpu1", ""),
                                new HostBody("gpu2", 404, bytes(notFound))),
                        500,
                        "{\"error\":\"copy failed on gpu0: HTTP 500: disk full; gpu2: HTTP 404: model 'llama3.2' "
                                + "not found\"}"),
                arguments("a host that gave no answer first: 502", "delete",
                        List.of(HostBody.unreachable("gpu0", "Connection refused"),
                                new HostBody("gpu1", 400, bytes("{\"error\":\"invalid model name\"}"))),
                        502,
                        "{\"error\":\"delete failed on gpu0: connection error: Connection refused; "
                                + "gpu1: HTTP 400: invalid model name\"}"),
                arguments("a body that is not Ollama's error is quoted", "create",
                        List.of(new HostBody("gpu0", 504, bytes("<html><body>504 Gateway Time-out</body></html>\n"))),
                        504,
                        "{\"error\":\"create failed on gpu0: HTTP 504: <html><body>504 Gateway Time-out</body>"
                                + "</html>\"}"),
                arguments("a redirect is no answer keepwarm can pass on", "push",
                        List.of(new HostBody("gpu0", 307, new byte[0])), 502,
                        "{\"error\":\"push failed on gpu0: HTTP 307\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fanOuts")
    void aFanOutAnswersAsOllamaWhenAllSucceededElseNamesTheHostsThatFailed(String why, String operation,
            List<HostBody> hosts, int status, String body) {
        Answer answer = FleetAnswers.fanOut(operation, hosts);
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.text()).isEqualTo(body);
    }

    @Test
    void aLongBodyIsQuotedOnlyInPartAndStillValidJson() {
        String page = "\"" + "🦙".repeat(150) + "\"";
        Answer answer = FleetAnswers.fanOut("delete", List.of(new HostBody("gpu0", 500, bytes(page))));
        assertThat(error(answer)).startsWith("delete failed on gpu0: HTTP 500: \"🦙").endsWith("🦙...");
        assertThat(error(answer).length()).isLessThan(40 + FleetAnswers.MAX_QUOTED);
    }

    @Test
    void aFanOutFailsInTheWordsOfTheStreamedFanOut() {
        List<ByteBuf> buffers = List.of(buffer("{\"error\":\"pull model manifest: file does not exist\"}"),
                buffer("{\"status\":\"pulling manifest\"}\n"));
        Flux<String> streamed = FanOutStream
            .merge("pull", List.of(new HostAnswer("gpu0", 404, Flux.just(buffers.get(0))),
                    new HostAnswer("gpu1", 503, Flux.empty()), new HostAnswer("gpu2", 200, Flux
                        .concat(Flux.just(buffers.get(1)), Flux.error(new IOException("Connection reset by peer"))))))
            .map(line -> {
                String text = line.toString(StandardCharsets.UTF_8);
                line.release();
                return text;
            });
        Answer answer = FleetAnswers.fanOut("pull",
                List.of(new HostBody("gpu0", 404, bytes("{\"error\":\"pull model manifest: file does not exist\"}")),
                        new HostBody("gpu1", 503, new byte[0]),
                        HostBody.unreachable("gpu2", new IOException("Connection reset by peer"))));
        StepVerifier.create(streamed.last())
            .expectNext(answer.text() + "\n")
            .expectComplete()
            .verify(Duration.ofSeconds(5));
        assertThat(buffers).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    // --- HEAD /api/blobs/:digest

    static Stream<Arguments> blobHeads() {
        return Stream.of(arguments(List.of(200, 200, 200), 200), arguments(List.of(200, 404, 200), 404),
                arguments(List.of(200, 500), 502), arguments(List.of(404, 0), 502), arguments(List.of(0, 200), 502),
                arguments(List.of(400, 404), 400), arguments(List.of(200, 307), 502));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("blobHeads")
    void aBlobIsThereOnlyWhenEveryHostHasIt(List<Integer> statuses, int status) {
        List<HostBody> hosts = new ArrayList<>();
        for (int i = 0; i < statuses.size(); i++) {
            hosts.add((statuses.get(i) == 0) ? HostBody.unreachable("gpu" + i, "refused")
                    : new HostBody("gpu" + i, statuses.get(i), new byte[0]));
        }
        Answer head = FleetAnswers.blobHead(hosts);
        assertThat(head.status()).isEqualTo(status);
        assertThat(head.body()).isEmpty();
    }

    // --- X-Keepwarm-Upstream

    static Stream<Arguments> headers() {
        return Stream.of(arguments(List.of("gpu0"), "gpu0"),
                arguments(List.of("gpu1", "gpu0", "gpu2"), "gpu1,gpu0,gpu2"),
                arguments(List.of("10.0.0.5", "fd00::6"), "10.0.0.5,fd00::6"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("headers")
    void theUpstreamHeaderListsTheHostsInOrder(List<String> hosts, String header) {
        assertThat(FleetAnswers.hostsHeader(hosts)).isEqualTo(header);
    }

    static Stream<List<String>> unfitHeaders() {
        return Stream.of(List.of(), List.of("gpu0", "gpu0"), List.of("gpu0", "a,b"), List.of("gpu0\r\nSet-Cookie: x"),
                List.of(""), List.of("gpu 0"), List.of("gpü"));
    }

    @ParameterizedTest
    @MethodSource("unfitHeaders")
    void namesThatWouldBreakTheHeaderAreRefused(List<String> hosts) {
        assertThatIllegalArgumentException().isThrownBy(() -> FleetAnswers.hostsHeader(hosts));
    }

    // --- the hosts given

    @Test
    void anUnreachableHostHasNoStatusAndSaysWhy() {
        HostBody host = HostBody.unreachable("gpu0", new ConnectException("Connection refused"));
        assertThat(host.status()).isZero();
        assertThat(new String(host.body(), StandardCharsets.UTF_8)).isEqualTo("Connection refused");
        assertThat(FleetAnswers.fanOut("delete", List.of(HostBody.unreachable("gpu0", ""))).text())
            .isEqualTo("{\"error\":\"delete failed on gpu0: connection error: no answer\"}");
    }

    @Test
    void noHostOrAHostTwiceIsTheCallersMistake() {
        assertThatIllegalArgumentException().isThrownBy(() -> FleetAnswers.tags(List.of()));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> FleetAnswers.fanOut("delete", List.of(ok("gpu0", ""), ok("gpu0", ""))))
            .withMessageContaining("gpu0");
        assertThatIllegalArgumentException().isThrownBy(() -> FleetAnswers.blobHead(List.of()));
    }

    private static HostBody ok(String host, String body) {
        return new HostBody(host, 200, bytes(body));
    }

    private static String models(String... entries) {
        return "{\"models\":[" + String.join(",", entries) + "]}";
    }

    private static String tag(String name, String modifiedAt) {
        return "{\"name\":\"" + name + "\",\"modified_at\":\"" + modifiedAt + "\"}";
    }

    private static String withHost(String host, String entry) {
        return "{\"host\":\"" + host + "\"," + entry.substring(1);
    }

    private static List<String> names(Answer answer) {
        JsonNode models = JSON.readTree(answer.body()).get("models");
        return models.valueStream().map(model -> model.get("name").stringValue()).toList();
    }

    /** The error message, read back: the body must be valid JSON of Ollama's shape. */
    private static String error(Answer answer) {
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.propertyNames()).containsExactly("error");
        return body.get("error").stringValue();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuf buffer(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

}
