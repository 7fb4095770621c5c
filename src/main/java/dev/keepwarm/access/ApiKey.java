package dev.keepwarm.access;

import java.util.Set;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One client's API key under {@code keepwarm.security.api-keys}. Only the key's hash is
 * configured: keepwarm never holds, logs or counts the key itself. Checked by
 * {@link SecurityProperties}, whose messages can name the key's index.
 *
 * @param name who holds the key, unique among the keys; the {@code key} tag of
 * keepwarm_requests_by_key_total
 * @param keySha256 SHA-256 of the key as 64 hex characters, computed with
 * {@code printf %s "$KEY" | sha256sum}
 * @param scopes what the key may do: inference (every proxied request) and admin (also
 * Ollama's admin routes when admin-routes is admin-scope; admin implies inference)
 */
public record ApiKey(String name, String keySha256, @DefaultValue("inference") Set<Scope> scopes) {

    public ApiKey {
        scopes = scopes == null ? Set.of() : Set.copyOf(scopes);
    }

    /**
     * Without the hash, which need not end up in a log because someone printed the
     * properties.
     */
    @Override
    public String toString() {
        return "ApiKey[name=" + name + ", scopes=" + scopes + "]";
    }
}
