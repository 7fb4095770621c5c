package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Merges the NDJSON answers of several Ollama hosts to a state-changing route (a fleet's
 * pull, issue 13) into one NDJSON stream for the client. Each host's progress lines pass
 * as they arrive, no host waiting for another, with {@code "host":"<name>"} added as the
 * first member and every other byte as Ollama sent it. The hosts' own
 * {@code {"status":"success"}} lines are held back: the stream ends with one
 * {@code {"status":"success"}} when every host succeeded, else, after every host ended (a
 * pull half done on one host is not cut because another failed), with one
 * {@code {"error":"pull failed on gpu1: <why>; gpu2: <why>"}} naming the failed hosts in
 * the order they were given. The hosts' own error lines are held back too: Ollama's
 * client stops at the first error line (OLLAMA-API.md, Errors), so there is one.
 * <p>
 * A host fails on an error line, a status other than 200 (its body's error message is
 * quoted), a body that ends without success as its last line, a body that errors, or a
 * line longer than the limit (its body is then cancelled). A line that is not a JSON
 * object goes on as {@code {"host":"gpu1","line":"<the text>"}} and does not by itself
 * fail the host; blank lines are dropped. The merged stream itself never errors.
 * <p>
 * Buffers: every buffer a body emits is this stream's to release, and is released as soon
 * as its bytes are copied: pass Reactor Netty's body {@code retain()}ed, as
 * {@link ResponseRelay} does. Nothing but each host's partial line (at most the limit)
 * and a few lines per host of prefetch is held. A cancel cancels every host's body; a
 * buffer a body's own queue discards then is released.
 */
final class FanOutStream {

    /** The longest line a host may send: past it, that host fails. */
    static final int MAX_LINE = 1024 * 1024;

    /** Complete lines queued per host while the client is slower than the hosts. */
    private static final int PREFETCH = 16;

    private static final byte[] SUCCESS = "{\"status\":\"success\"}\n".getBytes(StandardCharsets.UTF_8);

    private FanOutStream() {
    }

    /**
     * One host's answer.
     *
     * @param host the host's name, as the merged lines and the error line name it
     * @param status the answer's HTTP status code
     * @param body the answer's body, as the connection delivers it
     */
    record HostAnswer(String host, int status, Flux<ByteBuf> body) {

        HostAnswer {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(body, "body");
        }

    }

    /** The answers merged, lines up to {@link #MAX_LINE} bytes. */
    static Flux<ByteBuf> merge(String operation, List<HostAnswer> answers) {
        return merge(operation, answers, MAX_LINE);
    }

    /**
     * The answers merged.
     * @param operation what the error line says failed ("pull")
     * @param answers at least one, names unique
     * @param maxLine the longest line a host may send, in bytes without the newline
     */
    static Flux<ByteBuf> merge(String operation, List<HostAnswer> answers, int maxLine) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("no host to fan out to");
        }
        Set<String> names = new HashSet<>();
        for (HostAnswer answer : answers) {
            if (!names.add(answer.host())) {
                throw new IllegalArgumentException("host " + answer.host() + " given twice");
            }
        }
        List<HostAnswer> hosts = List.copyOf(answers);
        return Flux.defer(() -> {
            String[] failures = new String[hosts.size()];
            List<Flux<Piece>> pieces = new ArrayList<>(hosts.size());
            for (int i = 0; i < hosts.size(); i++) {
                pieces.add(pieces(i, hosts.get(i), maxLine));
            }
            return Flux.merge(Flux.fromIterable(pieces), hosts.size(), PREFETCH).<byte[]>handle((piece, sink) -> {
                if (piece.line() != null) {
                    sink.next(piece.line());
                }
                else {
                    failures[piece.host()] = piece.failure();
                }
            }).concatWith(Mono.fromSupplier(() -> last(operation, hosts, failures))).map(Unpooled::wrappedBuffer);
        });
    }

    /** One host's lines for the client, then its outcome. */
    private static Flux<Piece> pieces(int index, HostAnswer answer, int maxLine) {
        return Flux.defer(() -> {
            HostLines lines = new HostLines(answer.host(), answer.status(), maxLine);
            return answer.body()
                // buffers a body's own queue drops on cancel have not reached feed
                .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease)
                .map(lines::feed)
                .takeUntil(fed -> lines.broken())
                .onErrorResume(error -> {
                    lines.cut(error);
                    return Mono.empty();
                })
                .concatWith(Mono.fromSupplier(lines::finish))
                .flatMapIterable(fed -> fed, 1)
                .map(line -> new Piece(index, line, null))
                .concatWith(Mono.fromSupplier(() -> new Piece(index, null, lines.failure())));
        });
    }

    private static byte[] last(String operation, List<HostAnswer> hosts, @Nullable String[] failures) {
        StringJoiner failed = new StringJoiner("; ", operation + " failed on ", "");
        boolean any = false;
        for (int i = 0; i < failures.length; i++) {
            if (failures[i] != null) {
                failed.add(hosts.get(i).host() + ": " + failures[i]);
                any = true;
            }
        }
        if (!any) {
            return SUCCESS.clone();
        }
        String quoted = new String(JsonStringEncoder.getInstance().quoteAsUTF8(failed.toString()),
                StandardCharsets.UTF_8);
        return ("{\"error\":\"" + quoted + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A line for the client ({@code line} set), or the end of a host's answer with why it
     * failed (null: it succeeded).
     */
    private record Piece(int host, byte @Nullable [] line, @Nullable String failure) {

    }

}
