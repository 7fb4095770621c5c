package dev.keepwarm.proxy;

import java.util.List;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * POST /api/blobs/:digest on a fleet: the client's upload streamed to every healthy host
 * at once, at the pace of the slowest (a few chunks are queued, never the blob). Each
 * chunk is copied once into a byte array each host wraps, so no host's write releases
 * another's buffer. Ollama's answer when every host took the blob (201); when a host
 * cannot be reached, the upload stops everywhere and the answer names that host.
 */
final class BlobUpload {

    /** Chunks queued for the slowest host. */
    private static final int QUEUED = 4;

    private BlobUpload() {
    }

    static Mono<Void> toEvery(ProxyExchange exchange, List<UpstreamCall> hosts, FleetRoutes routes) {
        if (hosts.isEmpty()) {
            return routes.noHealthyHost(exchange);
        }
        // every host subscribes once connected: reading starts when all are
        Flux<byte[]> chunks = exchange.request()
            .receive()
            .map(ByteBufUtil::getBytes)
            .publish(QUEUED)
            .autoConnect(hosts.size());
        return Flux.fromIterable(hosts)
            .flatMapSequential(host -> HostRequests.whole(host, exchange, chunks.map(Unpooled::wrappedBuffer), -1)
                .flatMap(answer -> answer.status() == 0 ? Mono.error(new Unreachable(answer)) : Mono.just(answer)))
            .collectList()
            .flatMap(answers -> routes.answer(exchange, hosts, FleetAnswers.fanOut("blob upload", answers)))
            .onErrorResume(Unreachable.class, failed -> routes.answer(exchange, hosts,
                    FleetAnswers.fanOut("blob upload", List.of(failed.answer))));
    }

    /** A host no connection could be made to: the others are cancelled. */
    private static final class Unreachable extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final transient FleetAnswers.HostBody answer;

        Unreachable(FleetAnswers.HostBody answer) {
            super(answer.host(), null, false, false);
            this.answer = answer;
        }

    }

}
