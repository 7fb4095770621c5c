package dev.keepwarm.ollama;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ImmediateExecutor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The context behind the upstream client: everything comes from the context set last, and
 * a bundle that cannot be used leaves the last good one in place.
 */
class ReloadableSslContextTest {

    @Test
    void everyNewEngineAndHandlerComesFromTheContextSetLast() throws SSLException {
        SslContext first = SslContextBuilder.forClient().protocols("TLSv1.2").build();
        SslContext second = SslContextBuilder.forClient().protocols("TLSv1.3").build();
        ReloadableSslContext context = new ReloadableSslContext(first);
        assertThat(context.isClient()).isTrue();
        assertThat(context.cipherSuites()).isEqualTo(first.cipherSuites());
        assertThat(context.applicationProtocolNegotiator()).isSameAs(first.applicationProtocolNegotiator());
        assertThat(context.sessionContext()).isSameAs(first.sessionContext());
        assertThat(context.newEngine(ByteBufAllocator.DEFAULT).getEnabledProtocols()).containsExactly("TLSv1.2");

        context.replace(second);

        assertThat(context.current()).isSameAs(second);
        assertThat(context.sessionContext()).as("a fresh session cache").isSameAs(second.sessionContext());
        assertThat(context.newEngine(ByteBufAllocator.DEFAULT, "127.0.0.1", 443).getEnabledProtocols())
            .containsExactly("TLSv1.3");
        for (SslHandler handler : new SslHandler[] { context.newHandler(ByteBufAllocator.DEFAULT),
                context.newHandler(ByteBufAllocator.DEFAULT, ImmediateExecutor.INSTANCE),
                context.newHandler(ByteBufAllocator.DEFAULT, "127.0.0.1", 443),
                context.newHandler(ByteBufAllocator.DEFAULT, "127.0.0.1", 443, ImmediateExecutor.INSTANCE) }) {
            assertThat(handler.engine().getEnabledProtocols()).containsExactly("TLSv1.3");
        }
    }

    @Test
    void aChangedBundleThatCannotBeUsedKeepsTheLastGoodContext() throws SSLException {
        SslContext good = SslContextBuilder.forClient().build();
        ReloadableSslContext context = new ReloadableSslContext(good);

        UpstreamTls.reload("ollama", new Unusable(), context);

        assertThat(context.current()).isSameAs(good);
    }

    @Test
    void aTlsFailureIsPutInWordsAndAnyOtherIsNot() {
        assertThat(TlsFailure.describe(new IllegalStateException("boom"))).isNull();
        assertThat(TlsFailure
            .describe(new RuntimeException(new SSLHandshakeException("Received fatal alert: " + "handshake_failure"))))
            .isEqualTo("TLS with Ollama failed: Received fatal alert: handshake_failure");
    }

    /** A bundle whose files changed into something unreadable. */
    private static final class Unusable implements SslBundle {

        @Override
        public SslStoreBundle getStores() {
            return SslStoreBundle.NONE;
        }

        @Override
        public SslBundleKey getKey() {
            return SslBundleKey.NONE;
        }

        @Override
        public SslOptions getOptions() {
            return SslOptions.NONE;
        }

        @Override
        public String getProtocol() {
            return SslBundle.DEFAULT_PROTOCOL;
        }

        @Override
        public SslManagerBundle getManagers() {
            throw new IllegalStateException("no certificate in /etc/keepwarm/tls/client.pem");
        }

    }

}
