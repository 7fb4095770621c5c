package dev.keepwarm.proxy;

import dev.keepwarm.policy.Policies;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/** Wires the proxy: one WebHandler behind a catch-all mapping, and a WebClient on a pool sized for long streams. */
@Configuration(proxyBeanMethods = false)
class ProxyConfiguration {

    @Bean
    ProxyHandler proxyHandler(UpstreamProperties upstream, ProxyProperties proxy, Policies policies) {
        JsonMapper json = requestJson(proxy);
        ProxyErrors errors = new ProxyErrors(json);
        ResponseRelay relay = new ResponseRelay(upstream.idleTimeout(), errors, json);
        UpstreamCall call = new UpstreamCall(upstreamClient(upstream), upstream, relay, errors);
        return new ProxyHandler(new RequestRewriter(policies, json), call, errors, proxy.maxRequestSize());
    }

    /** Every path on the proxy port is Ollama's. */
    @Bean
    ProxyHandlerMapping proxyHandlerMapping(ProxyHandler handler) {
        return new ProxyHandlerMapping(handler);
    }

    private static WebClient upstreamClient(UpstreamProperties upstream) {
        ConnectionProvider pool = ConnectionProvider.builder("ollama")
                .maxConnections(upstream.maxConnections())
                .pendingAcquireMaxCount(-1)
                // a queued request waits as long as a stream may be silent, never less than a model load
                .pendingAcquireTimeout(upstream.idleTimeout())
                .build();
        HttpClient http = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) upstream.connectTimeout().toMillis())
                .option(ChannelOption.SO_KEEPALIVE, true)
                .compress(false);
        return WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).build();
    }

    /**
     * Reads request bodies exactly: decimals stay as written, and strings may be as long as the body allows
     * (base64 images of many MB; Jackson's default string limit is 20M characters).
     */
    private static JsonMapper requestJson(ProxyProperties proxy) {
        int max = (int) proxy.maxRequestSize().toBytes();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(max).maxDocumentLength(max).build())
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }
}
