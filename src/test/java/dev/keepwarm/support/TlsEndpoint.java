package dev.keepwarm.support;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Ollama serves plain HTTP only: an https Ollama is Ollama behind a TLS-terminating
 * reverse proxy. This is one, on 127.0.0.1: it ends TLS with a certificate of
 * {@link TestPki} (and, for mutual TLS, requires a client certificate the CA issued) and
 * pipes the bytes of each connection to a fake Ollama, as a TCP-level terminator
 * (stunnel, nginx's stream module) does.
 */
public final class TlsEndpoint implements AutoCloseable {

    private final DisposableServer server;

    private final List<String> clients = new CopyOnWriteArrayList<>();

    private TlsEndpoint(TestPki.Issued certificate, @Nullable X509Certificate clientCa, int backendPort) {
        SslContext context;
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(certificate.key(), certificate.x509());
            if (clientCa != null) {
                builder.trustManager(clientCa).clientAuth(ClientAuth.REQUIRE);
            }
            context = builder.build();
        }
        catch (SSLException e) {
            throw new IllegalStateException(e);
        }
        TcpClient backend = TcpClient.newConnection().host("127.0.0.1").port(backendPort);
        this.server = TcpServer.create()
            .host("127.0.0.1")
            .port(0)
            .secure(spec -> spec.sslContext(context))
            .doOnConnection(connection -> {
                SslHandler tls = connection.channel().pipeline().get(SslHandler.class);
                tls.handshakeFuture().addListener(done -> {
                    if (done.isSuccess()) {
                        clients.add(clientOf(tls));
                    }
                });
            })
            .handle((in, out) -> backend.connect()
                .flatMap(ollama -> Mono
                    .firstWithSignal(ollama.outbound().send(in.receive().retain()).then(),
                            out.send(ollama.inbound().receive().retain()).then())
                    .doFinally(signal -> ollama.dispose())))
            .bindNow(Duration.ofSeconds(10));
    }

    /**
     * Serves {@code certificate}, any client, in front of the fake on
     * {@code backendPort}.
     */
    public static TlsEndpoint start(TestPki.Issued certificate, int backendPort) {
        return new TlsEndpoint(certificate, null, backendPort);
    }

    /**
     * Serves {@code certificate} and requires a client certificate that {@code clientCa}
     * issued (mutual TLS).
     */
    public static TlsEndpoint mutual(TestPki.Issued certificate, X509Certificate clientCa, int backendPort) {
        return new TlsEndpoint(certificate, clientCa, backendPort);
    }

    /** {@code https://127.0.0.1:<port>}. */
    public URI url() {
        return URI.create("https://127.0.0.1:" + server.port());
    }

    public int port() {
        return server.port();
    }

    /**
     * Each TLS connection that completed its handshake, by the subject of its client
     * certificate ("none" without one).
     */
    public List<String> handshakes() {
        return List.copyOf(clients);
    }

    private static String clientOf(SslHandler tls) {
        try {
            return ((X509Certificate) tls.engine().getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                .getName();
        }
        catch (SSLPeerUnverifiedException none) {
            return "none";
        }
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
    }

}
