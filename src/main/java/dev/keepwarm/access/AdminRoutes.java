package dev.keepwarm.access;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.http.HttpMethod;
import org.springframework.util.StringUtils;
import org.springframework.web.util.UriUtils;

/**
 * Ollama's destructive and admin routes (OLLAMA-API.md, "Forwarding"): DELETE
 * /api/delete, POST /api/pull, /api/push, /api/create, /api/copy, POST and HEAD
 * /api/blobs/:digest.
 */
final class AdminRoutes {

    private static final Set<String> EXACT = Set.of("DELETE /api/delete", "POST /api/pull", "POST /api/push",
            "POST /api/create", "POST /api/copy");

    private static final String BLOBS = "/api/blobs/";

    private static final Pattern SLASHES = Pattern.compile("/{2,}");

    private AdminRoutes() {
    }

    /**
     * The admin route a request goes to, such as {@code POST /api/pull}, or empty. The
     * path is compared the way it could still reach that route: percent-decoded (Ollama's
     * router matches the decoded path), with empty and dot segments and a trailing slash
     * removed, ignoring case. Matching too much only refuses paths Ollama does not serve.
     */
    static Optional<String> route(HttpMethod method, String rawPath) {
        String path = normalize(rawPath);
        String request = method.name() + " " + path;
        if (EXACT.contains(request)) {
            return Optional.of(request);
        }
        if ((HttpMethod.POST.equals(method) || HttpMethod.HEAD.equals(method)) && path.startsWith(BLOBS)
                && path.length() > BLOBS.length()) {
            return Optional.of(method.name() + " " + BLOBS + ":digest");
        }
        return Optional.empty();
    }

    private static String normalize(String rawPath) {
        String decoded;
        try {
            decoded = UriUtils.decode(rawPath, StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException malformed) {
            decoded = rawPath;
        }
        String path = StringUtils.cleanPath(SLASHES.matcher(decoded).replaceAll("/"));
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return (path.startsWith("/") ? path : "/" + path).toLowerCase(Locale.ROOT);
    }

}
