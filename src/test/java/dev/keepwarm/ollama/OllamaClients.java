package dev.keepwarm.ollama;

import java.net.URI;
import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds an {@link OllamaClient} without a Spring context, for unit tests of other
 * packages (its constructor is package-private). Wired like {@code OllamaConfiguration}:
 * one connection per call; a closed circuit breaker and no retries, so a test sees each
 * failure at once.
 */
public final class OllamaClients {

    private OllamaClients() {
    }

    /** A connection as OllamaConfiguration builds it, without a pool of its own. */
    static OllamaConnection connection(UpstreamProperties properties) {
        HttpClient http = HttpClient.create().compress(false);
        WebClient web = WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(http.newConnection()))
            .build();
        return new OllamaConnection(http, web, properties);
    }

    /** A client of the Ollama at {@code url} (a fake's {@code url()}). */
    public static OllamaClient against(URI url) {
        UpstreamProperties properties = new UpstreamProperties(url, Duration.ofSeconds(2), null, Duration.ofSeconds(10),
                16);
        HttpClient http = HttpClient.create().compress(false);
        WebClient web = WebClient.builder()
            .clientConnector(new ReactorClientHttpConnector(http.newConnection()))
            .build();
        return new OllamaClient(new OllamaConnection(http, web, properties), CircuitBreaker.ofDefaults("ollama"),
                Retry.of("ollama", RetryConfig.custom().maxAttempts(1).build()));
    }

}
