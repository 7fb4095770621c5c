package dev.keepwarm.proxy;

import java.util.List;

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
 * @param maxRequestSize largest body of a request keepwarm reads whole (generate, chat,
 * embed, embeddings, and the /v1 routes whose model it checks); larger bodies get 413.
 * Bodies of other routes (such as blob uploads) are streamed and not limited
 * @param maxConcurrent most requests in flight to Ollama at once; beyond it keepwarm
 * answers 503 with Retry-After before touching Ollama. Empty means no limit (Ollama
 * queues up to OLLAMA_MAX_QUEUE itself)
 * @param trustedProxies CIDR blocks (IPv4 or IPv6, such as 10.0.0.0/8 or ::1/128; an
 * address alone is one host) of the proxies in front of keepwarm whose X-Forwarded-*,
 * Forwarded and X-Real-IP headers are believed: from such a peer they go on to Ollama as
 * sent, with the peer appended to X-Forwarded-For. From any other peer they are dropped,
 * and keepwarm sends its own X-Forwarded-For (the peer's address), X-Forwarded-Proto and
 * X-Forwarded-Host. Empty (the default) trusts no one
 */
@ConfigurationProperties("keepwarm.proxy")
@Validated
public record ProxyProperties(@DefaultValue("64MB") @NotNull DataSize maxRequestSize,
        @Nullable @Positive Integer maxConcurrent, @DefaultValue List<String> trustedProxies) {

    public ProxyProperties {
        if (maxRequestSize != null
                && (maxRequestSize.toBytes() <= 0 || maxRequestSize.toBytes() > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException(
                    "keepwarm.proxy.max-request-size must be between 1B and 2GB, not " + maxRequestSize);
        }
        trustedProxies = trustedProxies == null ? List.of() : trustedProxies;
        // fails start-up here, naming the entry; the proxy parses its own copy
        TrustedProxies.parse(trustedProxies);
        trustedProxies = List.copyOf(trustedProxies);
    }
}
