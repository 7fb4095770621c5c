package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

/** Errors that keepwarm itself answers, in Ollama's native shape {@code {"error":"..."}}. */
final class ProxyErrors {

    static final String KEEP_ALIVE_HEADER = "X-Keepwarm-Keep-Alive";

    private final JsonMapper json;

    ProxyErrors(JsonMapper json) {
        this.json = json;
    }

    Mono<Void> respond(ServerWebExchange exchange, HttpStatus status, String message, @Nullable String keepAliveHeader,
            String... extraHeaders) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(new IllegalStateException(message));
        }
        response.setStatusCode(status);
        response.getHeaders().clear();
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        if (keepAliveHeader != null) {
            response.getHeaders().set(KEEP_ALIVE_HEADER, keepAliveHeader);
        }
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            response.getHeaders().set(extraHeaders[i], extraHeaders[i + 1]);
        }
        byte[] body = errorBody(message);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    /** {@code {"error":"..."}} as bytes, escaped properly. */
    byte[] errorBody(String message) {
        return json.writeValueAsString(Map.of("error", message)).getBytes(StandardCharsets.UTF_8);
    }
}
