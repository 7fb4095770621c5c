package dev.keepwarm.proxy;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;

import dev.keepwarm.support.ProxyTestBase;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * 500 concurrent streaming clients for a minute: every stream completes with every chunk,
 * none fails, the heap does not grow, and (through LeakDetection, with Netty at paranoid)
 * no buffer leaks. Also proves the upstream pool holds 500 long streams at once (Reactor
 * Netty's default of 2 x cores would queue the 17th).
 */
@Tag("soak")
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.enabled=false", "keepwarm.policy.default.keep-alive=10m" })
class SoakTest extends ProxyTestBase {

    private static final int STREAMS = 500;

    private static final int TOKENS = 60;

    @Test
    void fiveHundredStreamsForAMinuteAllCompleteWithoutLeaks() {
        FAKE.tokens(TOKENS, Duration.ofSeconds(1));
        ConnectionProvider pool = ConnectionProvider.builder("soak-clients")
            .maxConnections(STREAMS + 50)
            .pendingAcquireMaxCount(-1)
            .build();
        WebClient client = WebClient.builder()
            .baseUrl(baseUrl())
            .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
            .build();
        long heapBefore = usedHeapAfterGc();
        long start = System.nanoTime();

        List<Integer> chunksPerStream = Flux.range(0, STREAMS)
            .flatMap(i -> client.post()
                .uri("/api/generate")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"mistral\",\"prompt\":\"stream " + i + "\"}")
                .retrieve()
                .bodyToFlux(String.class)
                .filter(line -> !line.isBlank())
                .doOnNext(line -> assertThat(line).doesNotContain("\"error\""))
                .count()
                .map(Long::intValue)
                .onErrorResume(error -> Mono.just(-1)), STREAMS)
            .collectList()
            .block(Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.disposeLater().block(Duration.ofSeconds(10));
        long heapAfter = usedHeapAfterGc();

        System.out.printf("soak: %d streams x %d tokens in %.1f s; heap after GC %d MB before, %d MB after%n", STREAMS,
                TOKENS, seconds, heapBefore >> 20, heapAfter >> 20);
        // every token and the final line
        assertThat(chunksPerStream).hasSize(STREAMS).containsOnly(TOKENS + 1);
        assertThat(heapAfter - heapBefore).as("heap growth after the soak").isLessThan(64L << 20);
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

}
