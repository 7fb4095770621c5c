package dev.keepwarm.access;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may use the proxy port ({@code keepwarm.security}). The management port has no
 * API-key check: keep it off the public network.
 *
 * @param apiKeys keys accepted as {@code Authorization: Bearer <key>} on the proxy port;
 * empty means no authentication, Ollama's own default
 * @param adminRoutes what happens to Ollama's admin routes (DELETE /api/delete, POST
 * /api/pull, /api/push, /api/create, /api/copy, POST and HEAD /api/blobs/{digest}): allow
 * (forward them), deny (403 without contacting Ollama) or admin-scope (forward them only
 * for a key with scope admin; with no keys, deny)
 * @param actuatorWrites whether the write operations of /actuator/keepwarm (reconcile
 * now, ping a model) are available; false leaves the endpoint read-only, like
 * {@code management.endpoint.keepwarm.access=read-only}
 */
@ConfigurationProperties("keepwarm.security")
@Validated
public record SecurityProperties(@Valid @DefaultValue List<ApiKey> apiKeys,
        @DefaultValue("allow") @NotNull AdminRouteAccess adminRoutes, @DefaultValue("true") boolean actuatorWrites) {

    private static final String KEYS = "keepwarm.security.api-keys";

    public SecurityProperties {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        checkKeys(apiKeys);
    }

    /**
     * Checks every key here rather than in ApiKey, so that the message can name the key's
     * index. A bad hash is shown by its first four characters only: it may be the key
     * itself, pasted by mistake, and Boot prints the value of a property that fails
     * binding or validation.
     */
    private static void checkKeys(List<ApiKey> keys) {
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> hashes = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            ApiKey key = keys.get(i);
            String property = KEYS + "[" + i + "]";
            if (key.name() == null || key.name().isBlank()) {
                throw new IllegalArgumentException(property + ".name must not be blank: it names the key in metrics");
            }
            Integer sameName = names.putIfAbsent(key.name().strip(), i);
            if (sameName != null) {
                throw new IllegalArgumentException(property + ".name '" + key.name().strip()
                        + "' is already the name of " + KEYS + "[" + sameName + "]: names must be unique");
            }
            String hash = key.keySha256() == null ? "" : key.keySha256().strip();
            if (hash.length() != 64 || !hash.chars().allMatch(HexFormat::isHexDigit)) {
                throw new IllegalArgumentException(property + ".key-sha256 must be the SHA-256 of the key as 64 hex "
                        + "characters (printf %s \"$KEY\" | sha256sum), not " + abbreviate(hash));
            }
            Integer sameHash = hashes.putIfAbsent(hash.toLowerCase(Locale.ROOT), i);
            if (sameHash != null) {
                throw new IllegalArgumentException(property + ".key-sha256 is the same key as " + KEYS + "[" + sameHash
                        + "]: every client needs its own key");
            }
            if (key.scopes().isEmpty()) {
                throw new IllegalArgumentException(property + ".scopes must hold inference, admin or both");
            }
        }
    }

    private static String abbreviate(String value) {
        if (value.isEmpty()) {
            return "an empty value";
        }
        return "'" + value.substring(0, Math.min(4, value.length())) + "...' (" + value.length() + " characters)";
    }
}
