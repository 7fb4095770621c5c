package dev.keepwarm.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.keepwarm.proxy.FanOutStream.HostAnswer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FanOutStreamTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private static final String SUCCESS = "{\"status\":\"success\"}\n";

    private final List<ByteBuf> created = new ArrayList<>();

    @AfterEach
    void everyBufferTheHostsSentIsReleased() {
        assertThat(created).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    @Test
    void linesSplitAcrossChunksAndInsideMultiByteCharactersArriveWholeWithTheHostField() {
        byte[] line = "{\"status\":\"pulling é 🦙\",\"digest\":\"sha256:ab\",\"total\":1.50e3,\"completed\":0}\n"
            .getBytes(StandardCharsets.UTF_8);
        List<ByteBuf> chunks = new ArrayList<>();
        for (byte b : line) {
            chunks.add(buffer(new byte[] { b }));
        }
        chunks.add(buffer("{\"status\":\"succ"));
        chunks.add(buffer("ess\"}\n"));
        StepVerifier.create(text(FanOutStream.merge("pull", List.of(ok("gpu0", Flux.fromIterable(chunks))))))
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling é 🦙\",\"digest\":\"sha256:ab\",\"total\":1.50e3,"
                    + "\"completed\":0}\n")
            .expectNext(SUCCESS)
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void oneHostIsAPassThroughWithTheHostFieldAdded() {
        Flux<ByteBuf> body = Flux.just(buffer("{\"status\":\"pulling manifest\"}\r\n\n  { }\n"),
                buffer("{\"status\":\"verifying sha256 digest\"}\n{\"status\":\"success\"}"));
        StepVerifier.create(text(FanOutStream.merge("pull", List.of(ok("gpu0", body)))))
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling manifest\"}\n")
            .expectNext("  {\"host\":\"gpu0\" }\n")
            .expectNext("{\"host\":\"gpu0\",\"status\":\"verifying sha256 digest\"}\n")
            .expectNext(SUCCESS)
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void aHostsLinesPassWhileAnotherHostIsSilent() {
        Sinks.Many<ByteBuf> gpu0 = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Many<ByteBuf> gpu1 = Sinks.many().unicast().onBackpressureBuffer();
        Flux<String> merged = text(
                FanOutStream.merge("pull", List.of(ok("gpu0", gpu0.asFlux()), ok("gpu1", gpu1.asFlux()))));
        StepVerifier.create(merged)
            .then(() -> gpu1.tryEmitNext(buffer("{\"status\":\"pulling manifest\"}\n")))
            .expectNext("{\"host\":\"gpu1\",\"status\":\"pulling manifest\"}\n")
            .then(() -> gpu1.tryEmitNext(buffer("{\"status\":\"pulling 6a0746a1ec1a\",\"completed\":12}\n")))
            .expectNext("{\"host\":\"gpu1\",\"status\":\"pulling 6a0746a1ec1a\",\"completed\":12}\n")
            .then(() -> gpu0.tryEmitNext(buffer("{\"status\":\"pulling manifest\"}\n")))
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling manifest\"}\n")
            .then(() -> {
                gpu1.tryEmitNext(buffer(SUCCESS));
                gpu1.tryEmitComplete();
                gpu0.tryEmitNext(buffer("{\"status\":\"writing manifest\"}\n"));
            })
            .expectNext("{\"host\":\"gpu0\",\"status\":\"writing manifest\"}\n")
            .then(() -> {
                gpu0.tryEmitNext(buffer(SUCCESS));
                gpu0.tryEmitComplete();
            })
            .expectNext(SUCCESS)
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void everyHostSucceedingEndsTheStreamWithOneSuccess() {
        List<HostAnswer> answers = new ArrayList<>();
        for (String host : List.of("gpu0", "gpu1", "gpu2")) {
            answers.add(ok(host, Flux.just(buffer("{\"status\":\"pulling manifest\"}\n" + SUCCESS))));
        }
        StepVerifier.create(text(FanOutStream.merge("pull", answers)).collectList())
            .assertNext(lines -> assertThat(lines).hasSize(4)
                .containsOnlyOnce(SUCCESS)
                .endsWith(SUCCESS)
                .contains("{\"host\":\"gpu0\",\"status\":\"pulling manifest\"}\n",
                        "{\"host\":\"gpu1\",\"status\":\"pulling manifest\"}\n",
                        "{\"host\":\"gpu2\",\"status\":\"pulling manifest\"}\n"))
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void everyWayOfFailingIsNamedInOneErrorLineAndTheHostThatSucceededIsNot() {
        List<HostAnswer> answers = List.of(
                ok("gpu0", Flux.just(buffer("{\"status\":\"pulling manifest\"}\n"), buffer(SUCCESS))),
                ok("gpu1",
                        Flux.just(buffer("{\"status\":\"pulling manifest\"}\n"
                                + "{\"error\":\"pull model manifest: file \\\"x\\\" does not exist\"}\n"))),
                new HostAnswer("gpu2", 500, Flux.just(buffer("{\"error\":\"timed out waiting for llama-server\"}"))),
                ok("gpu3", Flux.just(buffer("{\"status\":\"pulling 6a0746a1ec1a\",\"completed\":3}\n"))),
                ok("gpu4",
                        Flux.concat(Flux.just(buffer("{\"status\":\"pulling manifest\"}\n{\"status\":\"pul")),
                                Flux.error(new IOException("Connection reset by peer")))),
                new HostAnswer("gpu5", 404, Flux.empty()));
        StepVerifier.create(text(FanOutStream.merge("pull", answers)).collectList()).assertNext(lines -> {
            assertThat(lines).doesNotContain(SUCCESS)
                .containsExactlyInAnyOrder("{\"host\":\"gpu0\",\"status\":\"pulling manifest\"}\n",
                        "{\"host\":\"gpu1\",\"status\":\"pulling manifest\"}\n",
                        "{\"host\":\"gpu3\",\"status\":\"pulling 6a0746a1ec1a\",\"completed\":3}\n",
                        "{\"host\":\"gpu4\",\"status\":\"pulling manifest\"}\n", lines.get(lines.size() - 1));
            assertThat(lines.get(lines.size() - 1))
                .isEqualTo("{\"error\":\"pull failed on gpu1: pull model manifest: file \\\"x\\\" does not exist; "
                        + "gpu2: HTTP 500: timed out waiting for llama-server; gpu3: stream ended without success; "
                        + "gpu4: connection error: Connection reset by peer; gpu5: HTTP 404\"}\n");
        }).expectComplete().verify(BOUND);
    }

    @Test
    void anErrorStatusPassesNoneOfItsBodyAndAnErrorThatIsNoStringStillFails() {
        List<HostAnswer> answers = List.of(
                new HostAnswer("gpu0", 503, Flux.just(buffer("{\"status\":\"pulling manifest\"}\n" + SUCCESS))),
                ok("gpu1", Flux.just(buffer("{\"error\":{\"message\":\"x\"}}\n"))));
        StepVerifier.create(text(FanOutStream.merge("pull", answers)))
            .expectNext("{\"error\":\"pull failed on gpu0: HTTP 503; gpu1: unreadable error line\"}\n")
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void aHostThatFailsDoesNotCutThePullOfAnotherWhichFinishesFirst() {
        Sinks.Many<ByteBuf> gpu0 = Sinks.many().unicast().onBackpressureBuffer();
        TestPublisher<ByteBuf> gpu1 = TestPublisher.create();
        Flux<String> merged = text(FanOutStream.merge("pull", List.of(ok("gpu0", gpu0.asFlux()), ok("gpu1", gpu1))));
        StepVerifier.create(merged)
            .then(() -> gpu0.tryEmitNext(buffer("{\"status\":\"pulling manifest\"}\n")))
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling manifest\"}\n")
            .then(() -> gpu1.error(new IOException("Connection refused")))
            .then(() -> gpu0.tryEmitNext(buffer("{\"status\":\"pulling 6a0746a1ec1a\",\"completed\":7}\n")))
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling 6a0746a1ec1a\",\"completed\":7}\n")
            .then(() -> {
                gpu0.tryEmitNext(buffer(SUCCESS));
                gpu0.tryEmitComplete();
            })
            .expectNext("{\"error\":\"pull failed on gpu1: connection error: Connection refused\"}\n")
            .expectComplete()
            .verify(BOUND);
        gpu1.assertWasNotCancelled();
    }

    @Test
    void aLineLongerThanTheLimitFailsThatHostAndStopsReadingIt() {
        TestPublisher<ByteBuf> gpu0 = TestPublisher.create();
        Flux<ByteBuf> gpu1 = Flux.just(buffer("{\"status\":\"pulling manifest\"}\n" + SUCCESS));
        Flux<String> merged = text(FanOutStream.merge("pull", List.of(ok("gpu0", gpu0), ok("gpu1", gpu1)), 64));
        String longLine = "{\"status\":\"" + "x".repeat(60) + "\"}\n";
        StepVerifier.create(merged)
            .expectNext("{\"host\":\"gpu1\",\"status\":\"pulling manifest\"}\n")
            .then(() -> gpu0.next(buffer("{\"status\":\"ok\"}\n" + longLine.substring(0, 30)),
                    buffer(longLine.substring(30))))
            .expectNext("{\"host\":\"gpu0\",\"status\":\"ok\"}\n")
            .expectNext("{\"error\":\"pull failed on gpu0: line longer than 64 bytes\"}\n")
            .expectComplete()
            .verify(BOUND);
        gpu0.assertCancelled();
    }

    @Test
    void aLineThatIsNotJsonIsWrappedWithTheHostField() {
        Flux<ByteBuf> body = Flux.just(buffer("<html>502 \"Bad\" Gateway</html>\n[1,2]\n{\"a\":1} x\n" + SUCCESS));
        StepVerifier.create(text(FanOutStream.merge("pull", List.of(ok("gpu0", body)))))
            .expectNext("{\"host\":\"gpu0\",\"line\":\"<html>502 \\\"Bad\\\" Gateway</html>\"}\n")
            .expectNext("{\"host\":\"gpu0\",\"line\":\"[1,2]\"}\n")
            .expectNext("{\"host\":\"gpu0\",\"line\":\"{\\\"a\\\":1} x\"}\n")
            .expectNext(SUCCESS)
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void aClientThatLeavesCancelsEveryHostAndReleasesWhatWasHeld() {
        TestPublisher<ByteBuf> gpu0 = TestPublisher.create();
        Sinks.Many<ByteBuf> gpu1 = Sinks.many().unicast().onBackpressureBuffer();
        Flux<ByteBuf> merged = FanOutStream.merge("pull", List.of(ok("gpu0", gpu0), ok("gpu1", gpu1.asFlux())));
        StepVerifier.create(merged, 0)
            .then(() -> gpu0.next(buffer("{\"status\":\"pulling manifest\"}\n{\"status\":\"pull")))
            .then(() -> {
                // more than the merge's prefetch: the rest waits in the sink's queue
                for (int i = 0; i < 40; i++) {
                    gpu1.tryEmitNext(buffer("{\"status\":\"pulling manifest\"}\n"));
                }
            })
            .then(() -> assertThat(created).anySatisfy(held -> assertThat(held.refCnt()).isOne()))
            .thenCancel()
            .verify(BOUND);
        gpu0.assertCancelled();
        assertThat(gpu1.currentSubscriberCount()).isZero();
    }

    @Test
    void aClientAskingForOneLineAtATimeGetsEveryLine() {
        Flux<ByteBuf> body = Flux.just(buffer("{\"status\":\"pulling manifest\"}\n{\"status\":\"pulling 6a07\"}\n"),
                buffer("{\"status\":\"writing manifest\"}\n" + SUCCESS));
        StepVerifier.create(text(FanOutStream.merge("pull", List.of(ok("gpu0", body)))), 0)
            .thenRequest(1)
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling manifest\"}\n")
            .thenRequest(1)
            .expectNext("{\"host\":\"gpu0\",\"status\":\"pulling 6a07\"}\n")
            .thenRequest(1)
            .expectNext("{\"host\":\"gpu0\",\"status\":\"writing manifest\"}\n")
            .thenRequest(1)
            .expectNext(SUCCESS)
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void aSlowClientHoldsTheHostsBackInsteadOfBufferingTheirStreams() {
        Sinks.Many<ByteBuf> gpu0 = Sinks.many().unicast().onBackpressureBuffer();
        AtomicLong requested = new AtomicLong();
        Flux<ByteBuf> body = gpu0.asFlux().doOnRequest(n -> requested.addAndGet(Math.min(n, 1_000_000)));
        for (int i = 0; i < 100; i++) {
            gpu0.tryEmitNext(buffer("{\"status\":\"pulling 6a07\",\"completed\":" + i + "}\n"));
        }
        gpu0.tryEmitNext(buffer(SUCCESS));
        gpu0.tryEmitComplete();
        StepVerifier.create(text(FanOutStream.merge("pull", List.of(ok("gpu0", body)))), 0)
            .then(() -> assertThat(requested).hasValueLessThanOrEqualTo(20))
            .then(() -> assertThat(created).filteredOn(held -> held.refCnt() == 1).hasSizeGreaterThan(80))
            .thenRequest(Long.MAX_VALUE)
            .expectNextCount(100)
            .expectNext(SUCCESS)
            .expectComplete()
            .verify(BOUND);
    }

    @Test
    void noHostOrAHostNamedTwiceIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> FanOutStream.merge("pull", List.of()));
        assertThatIllegalArgumentException()
            .isThrownBy(() -> FanOutStream.merge("pull", List.of(ok("gpu0", Flux.empty()), ok("gpu0", Flux.empty()))));
    }

    private static HostAnswer ok(String host, org.reactivestreams.Publisher<ByteBuf> body) {
        return new HostAnswer(host, 200, Flux.from(body));
    }

    private ByteBuf buffer(String text) {
        return buffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private ByteBuf buffer(byte[] bytes) {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
        created.add(buffer);
        return buffer;
    }

    /** The merged lines as text, each buffer released as the client's send would. */
    private static Flux<String> text(Flux<ByteBuf> merged) {
        return merged.map(buffer -> {
            try {
                return buffer.toString(StandardCharsets.UTF_8);
            }
            finally {
                buffer.release();
            }
        });
    }

}
