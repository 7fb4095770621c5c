package dev.keepwarm.access;

/**
 * What the proxy does with Ollama's admin routes
 * ({@code keepwarm.security.admin-routes}).
 */
public enum AdminRouteAccess {

    /** Forward them like every other route (Ollama's own behaviour). */
    ALLOW,

    /** Answer 403 without contacting Ollama. */
    DENY,

    /**
     * Forward them only for a key with scope admin; with no keys configured, the same as
     * deny.
     */
    ADMIN_SCOPE;

    /** The value as written in configuration. */
    String tag() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

}
