package dev.keepwarm.bench;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The bench's fourth target: the least a Reactor Netty proxy can do, on the same server
 * and client keepwarm runs on (no policy, no metrics, no header rules, no error
 * handling). Its throughput is the ceiling for any proxy built on this stack on this
 * machine, so keepwarm's cost can be told apart from the JVM's and Netty's.
 *
 * <pre>BareProxy --port 18091 --upstream http://127.0.0.1:11434</pre>
 */
public final class BareProxy {

    private BareProxy() {
    }

    public static void main(String[] args) {
        Args options = Args.parse(args);
        int port = Integer.parseInt(options.required("port"));
        String upstream = options.required("upstream");
        String host = upstream.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        HttpClient client = HttpClient.create(ConnectionProvider.builder("bare").maxConnections(1000).build())
            .baseUrl(upstream);
        DisposableServer server = HttpServer.create()
            .host("127.0.0.1")
            .port(port)
            .handle((request, response) -> client.request(request.method()).uri(request.uri()).send((out, outbound) -> {
                out.requestHeaders()
                    .set(request.requestHeaders())
                    .set(HttpHeaderNames.HOST, host)
                    .remove(HttpHeaderNames.CONNECTION);
                return outbound.send(request.receive().retain());
            }).response((in, body) -> {
                response.status(in.status()).headers(in.responseHeaders());
                return response.send(body.retain(), buffer -> true).then();
            }))
            .bindNow();
        System.out.println("bare proxy on 127.0.0.1:" + server.port() + " -> " + upstream);
        server.onDispose().block();
    }

}
