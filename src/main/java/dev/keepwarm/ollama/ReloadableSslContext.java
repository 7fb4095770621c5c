package dev.keepwarm.ollama;

import java.util.List;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;

/**
 * A client SslContext whose every new connection is made by the context set last: the
 * upstream HttpClient keeps this one instance, and a reloaded SSL bundle replaces what is
 * behind it. Connections already open keep the context they were made with; the new one
 * brings its own session cache, so no new connection resumes a session of the old
 * certificates.
 */
final class ReloadableSslContext extends SslContext {

    private volatile SslContext current;

    ReloadableSslContext(SslContext initial) {
        this.current = initial;
    }

    /** New connections use {@code next} from now on. */
    void replace(SslContext next) {
        this.current = next;
    }

    SslContext current() {
        return current;
    }

    @Override
    public boolean isClient() {
        return current.isClient();
    }

    @Override
    public List<String> cipherSuites() {
        return current.cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.sessionContext();
    }

    // the handler comes from the current context as a whole (its engine and its
    // session-resumption checks), not from an engine of it put in a handler made here

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls) {
        return current.newHandler(alloc, ImmediateExecutor.INSTANCE);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, boolean startTls, Executor executor) {
        return current.newHandler(alloc, executor);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls) {
        return current.newHandler(alloc, peerHost, peerPort, ImmediateExecutor.INSTANCE);
    }

    @Override
    protected SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort, boolean startTls,
            Executor executor) {
        return current.newHandler(alloc, peerHost, peerPort, executor);
    }

}
