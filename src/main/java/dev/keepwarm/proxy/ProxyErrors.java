package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;

/**
 * Errors that keepwarm itself answers, in Ollama's native shape {@code {"error":"..."}}.
 */
final class ProxyErrors {

    static final String KEEP_ALIVE_HEADER = "X-Keepwarm-Keep-Alive";

    /**
     * The Ollama host that answered (on a fan-out, the hosts, comma separated); on a
     * request, the host it must go to.
     */
    static final String UPSTREAM_HEADER = "X-Keepwarm-Upstream";

    private final JsonMapper json;

    ProxyErrors(JsonMapper json) {
        this.json = json;
    }

    Mono<Void> respond(HttpServerResponse response, HttpStatus status, String message, @Nullable String keepAliveHeader,
            String... extraHeaders) {
        if (response.hasSentHeaders()) {
            return Mono.error(new IllegalStateException(message));
        }
        HttpHeaders headers = response.responseHeaders();
        headers.clear();
        if (keepAliveHeader != null) {
            headers.set(KEEP_ALIVE_HEADER, keepAliveHeader);
        }
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            headers.set(extraHeaders[i], extraHeaders[i + 1]);
        }
        return write(response, status.value(), errorBody(message));
    }

    /** A request the gate refused: 401 with its challenge, or 403. */
    Mono<Void> refuse(HttpServerResponse response, ProxyGate.Admission refusal) {
        response.responseHeaders().clear();
        if (refusal.challenge() != null) {
            response.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, refusal.challenge());
        }
        return write(response, refusal.status(), errorBody(String.valueOf(refusal.message())));
    }

    private static Mono<Void> write(HttpServerResponse response, int status, byte[] body) {
        response.status(HttpResponseStatus.valueOf(status));
        response.responseHeaders()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response.send(Mono.just(Unpooled.wrappedBuffer(body))).then();
    }

    /** {@code {"error":"..."}} as bytes, escaped properly. */
    byte[] errorBody(String message) {
        return json.writeValueAsString(Map.of("error", message)).getBytes(StandardCharsets.UTF_8);
    }

}
