package dev.keepwarm.proxy;

import java.util.Arrays;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/**
 * Reads a request body whole, for the routes whose body keepwarm must read: up to
 * max-request-size, answered with 413 beyond it (also when Content-Length announces more)
 * before anything reaches Ollama.
 */
final class BodyReader {

    private final DataSize maxRequestSize;

    private final ProxyErrors errors;

    BodyReader(DataSize maxRequestSize, ProxyErrors errors) {
        this.maxRequestSize = maxRequestSize;
        this.errors = errors;
    }

    /** Reads the whole body, then goes on with it. */
    Mono<Void> read(ProxyExchange exchange, Function<byte[], Mono<Void>> then) {
        long max = maxRequestSize.toBytes();
        long declared = contentLength(exchange.request());
        if (declared > max) {
            return tooLarge(exchange);
        }
        return exchange.request()
            .receive()
            .collect(() -> new Body(declared, max), Body::append)
            .map(Body::bytes)
            .flatMap(then)
            .onErrorResume(TooLarge.class, tooBig -> tooLarge(exchange));
    }

    private Mono<Void> tooLarge(ProxyExchange exchange) {
        return errors.respond(exchange.response(), HttpStatus.PAYLOAD_TOO_LARGE,
                "keepwarm: request body is larger than keepwarm.proxy.max-request-size (" + readable(maxRequestSize)
                        + ")",
                null);
    }

    /**
     * The declared Content-Length, or -1 (none, or not a number: Netty's decoder has
     * refused those already).
     */
    private static long contentLength(HttpServerRequest request) {
        String value = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        }
        catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    private static String readable(DataSize size) {
        long bytes = size.toBytes();
        for (String unit : new String[] { "GB", "MB", "KB" }) {
            long scale = DataSize.parse("1" + unit).toBytes();
            if (bytes % scale == 0) {
                return bytes / scale + unit;
            }
        }
        return bytes + "B";
    }

    /**
     * A request body as it arrives, in one array (Jackson reads arrays), never beyond the
     * limit. The array grows with what really arrived (doubling, up to the declared
     * length): a Content-Length alone never reserves memory.
     */
    private static final class Body {

        private static final int FIRST = 64 * 1024;

        private final long limit;

        private byte[] bytes;

        private int size;

        Body(long declared, long max) {
            this.limit = declared >= 0 ? Math.min(declared, max) : max;
            this.bytes = new byte[(int) Math.min(limit, FIRST)];
        }

        void append(ByteBuf buffer) {
            int count = buffer.readableBytes();
            if (size + (long) count > limit) {
                throw new TooLarge(); // Netty frames a body by its Content-Length: only
                                      // max-request-size gets here
            }
            if (size + count > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + (long) count, 2L * bytes.length)));
            }
            buffer.getBytes(buffer.readerIndex(), bytes, size, count);
            size += count;
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }

    }

    /**
     * Marks the body limit so that only it, not an error from Ollama's side, becomes a
     * 413.
     */
    private static final class TooLarge extends RuntimeException {

        TooLarge() {
            super("request body larger than keepwarm.proxy.max-request-size", null, false, false);
        }

    }

}
