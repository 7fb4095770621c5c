package dev.keepwarm.access;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.keepwarm.access.Verdict.Pass;
import dev.keepwarm.access.Verdict.Reason;
import dev.keepwarm.access.Verdict.Refuse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

/**
 * Who may send what through the proxy port: a pure decision on the method, the raw path
 * and the Authorization headers. Authentication comes first (401), then the route (403),
 * so an anonymous client learns nothing about which routes are refused.
 */
final class AccessPolicy {

    private static final String REALM = "Bearer realm=\"keepwarm\"";

    private static final String BEARER = "bearer ";

    private final KeyRing keys;

    private final AdminRouteAccess adminRoutes;

    AccessPolicy(KeyRing keys, AdminRouteAccess adminRoutes) {
        this.keys = keys;
        this.adminRoutes = adminRoutes;
    }

    Verdict check(HttpMethod method, String rawPath, List<String> authorization) {
        Optional<String> adminRoute = AdminRoutes.route(method, rawPath);
        if (keys.isEmpty()) {
            return adminRoute.<Verdict>map(this::anonymousAdmin).orElse(new Pass(null));
        }
        if (authorization.size() > 1) {
            return new Refuse(HttpStatus.UNAUTHORIZED, Reason.INVALID,
                    "keepwarm: invalid API key (more than one Authorization header)",
                    REALM + ", error=\"invalid_request\"");
        }
        String token = authorization.isEmpty() ? null : bearerToken(authorization.get(0));
        if (token == null) {
            return new Refuse(HttpStatus.UNAUTHORIZED, Reason.MISSING,
                    "keepwarm: API key required (Authorization: Bearer <key>)", REALM);
        }
        Optional<KeyRing.Holder> holder = keys.find(token);
        if (holder.isEmpty()) {
            return new Refuse(HttpStatus.UNAUTHORIZED, Reason.INVALID, "keepwarm: invalid API key",
                    REALM + ", error=\"invalid_token\"");
        }
        return authorize(holder.get(), adminRoute.orElse(null));
    }

    private Verdict authorize(KeyRing.Holder holder, @Nullable String adminRoute) {
        if (!holder.has(Scope.INFERENCE)) {
            return insufficientScope(holder, Scope.INFERENCE, "every proxied request needs");
        }
        if (adminRoute == null || adminRoutes == AdminRouteAccess.ALLOW) {
            return new Pass(holder.name());
        }
        if (adminRoutes == AdminRouteAccess.DENY) {
            return denied(adminRoute);
        }
        return holder.has(Scope.ADMIN) ? new Pass(holder.name()) : insufficientScope(holder, Scope.ADMIN,
                adminRoute + " is an admin route and keepwarm.security.admin-routes=admin-scope needs");
    }

    /**
     * Admin route without keys configured: admin-scope cannot be satisfied, so it refuses
     * like deny.
     */
    private Verdict anonymousAdmin(String adminRoute) {
        return switch (adminRoutes) {
            case ALLOW -> new Pass(null);
            case DENY -> denied(adminRoute);
            case ADMIN_SCOPE -> new Refuse(HttpStatus.FORBIDDEN, Reason.ADMIN_DENIED, "keepwarm: " + adminRoute
                    + " is an admin route and needs an API key with scope admin (keepwarm.security.admin-routes="
                    + "admin-scope), but no keepwarm.security.api-keys are configured, so admin routes are refused",
                    null);
        };
    }

    private static Verdict denied(String adminRoute) {
        return new Refuse(HttpStatus.FORBIDDEN, Reason.ADMIN_DENIED,
                "keepwarm: " + adminRoute + " is an admin route, refused by keepwarm.security.admin-routes=deny", null);
    }

    /**
     * @param why the sentence up to the scope, such as "POST /api/pull is an admin route
     * and ... needs"
     */
    private static Verdict insufficientScope(KeyRing.Holder holder, Scope needed, String why) {
        return new Refuse(HttpStatus.FORBIDDEN, Reason.SCOPE,
                "keepwarm: " + why + " an API key with scope " + needed.tag() + "; key '" + holder.name()
                        + "' does not have it",
                REALM + ", error=\"insufficient_scope\", scope=\"" + needed.tag() + "\"");
    }

    /**
     * The token of {@code Bearer <token>} (the scheme is case-insensitive: RFC 9110
     * 11.1), or null.
     */
    private static @Nullable String bearerToken(String header) {
        String value = header.strip();
        if (value.length() <= BEARER.length()
                || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return null;
        }
        String token = value.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

}
