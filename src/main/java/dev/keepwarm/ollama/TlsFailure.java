package dev.keepwarm.ollama;

import java.security.cert.CertPathBuilderException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;

/**
 * Says in words why a TLS connection to Ollama failed, for the 502 a client gets and the
 * warmer's log line: the JDK's own messages ("PKIX path building failed", "Received fatal
 * alert: bad_certificate") do not say what to change.
 */
public final class TlsFailure {

    private TlsFailure() {
    }

    /**
     * What went wrong, ending with the JDK's own message; null when {@code error} is no
     * TLS failure.
     */
    public static @Nullable String describe(Throwable error) {
        SSLException tls = null;
        boolean untrusted = false;
        Throwable root = error;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (tls == null && t instanceof SSLException ssl) {
                tls = ssl;
            }
            untrusted |= t instanceof CertPathBuilderException;
            root = t;
        }
        if (tls == null) {
            return null;
        }
        String message = String.valueOf(root.getMessage());
        String lower = String.valueOf(tls.getMessage()).toLowerCase(Locale.ROOT) + " "
                + message.toLowerCase(Locale.ROOT);
        String why;
        if (untrusted || lower.contains("unable to find valid certification path")) {
            why = "Ollama's certificate is not trusted: no CA in the trust store of keepwarm.upstream.ssl-bundle "
                    + "(the JDK's when none is set) issued it";
        }
        else if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            why = "Ollama's certificate does not name the host keepwarm connects to (host name verification)";
        }
        else if (lower.contains("bad_certificate") || lower.contains("certificate_required")
                || lower.contains("certificate_unknown")) {
            why = "Ollama's TLS endpoint refused keepwarm's client certificate, or got none (mutual TLS: the key "
                    + "store of keepwarm.upstream.ssl-bundle)";
        }
        else {
            why = "TLS with Ollama failed";
        }
        return why + ": " + message;
    }

}
