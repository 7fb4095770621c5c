package dev.keepwarm.proxy;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the proxy treats requests ({@code keepwarm.proxy}).
 *
 * @param maxRequestSize largest body of a request keepwarm rewrites (generate, chat, embed, embeddings), which it
 *     must read whole; larger bodies get 413. Bodies of other routes (such as blob uploads) are streamed and not
 *     limited
 */
@ConfigurationProperties("keepwarm.proxy")
@Validated
public record ProxyProperties(@DefaultValue("64MB") @NotNull DataSize maxRequestSize) {

    public ProxyProperties {
        if (maxRequestSize != null && (maxRequestSize.toBytes() <= 0 || maxRequestSize.toBytes() > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException(
                    "keepwarm.proxy.max-request-size must be between 1B and 2GB, not " + maxRequestSize);
        }
    }
}
