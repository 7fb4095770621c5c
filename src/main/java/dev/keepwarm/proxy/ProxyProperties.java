package dev.keepwarm.proxy;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the proxy treats requests ({@code keepwarm.proxy}).
 *
 * @param maxRequestSize largest body of a request keepwarm reads whole (generate, chat, embed, embeddings, and the
 *     /v1 routes whose model it checks); larger bodies get 413. Bodies of other routes (such as blob uploads) are
 *     streamed and not limited
 * @param maxConcurrent most requests in flight to Ollama at once; beyond it keepwarm answers 503 with Retry-After
 *     before touching Ollama. Empty means no limit (Ollama queues up to OLLAMA_MAX_QUEUE itself)
 */
@ConfigurationProperties("keepwarm.proxy")
@Validated
public record ProxyProperties(
        @DefaultValue("64MB") @NotNull DataSize maxRequestSize,
        @Nullable @Positive Integer maxConcurrent) {

    public ProxyProperties {
        if (maxRequestSize != null && (maxRequestSize.toBytes() <= 0 || maxRequestSize.toBytes() > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException(
                    "keepwarm.proxy.max-request-size must be between 1B and 2GB, not " + maxRequestSize);
        }
    }
}
