package dev.keepwarm.proxy;

import org.springframework.http.HttpMethod;

import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One request on the proxy port: Reactor Netty's request and response, and what keepwarm
 * reads of it once.
 *
 * @param method the method, as Spring names it (the policy and access code share it with
 * the rest of the app)
 * @param path the raw path, without the query: what routes are matched on
 * @param target the raw path and query, exactly as the client sent them: what goes to
 * Ollama
 * @param dropAuthorization whether the Authorization header (a keepwarm key) stays behind
 * @param trace the request's span ({@link ProxyTracer.Trace#NONE} when nothing is traced)
 */
record ProxyExchange(HttpServerRequest request, HttpServerResponse response, HttpMethod method, String path,
        String target, boolean dropAuthorization, ProxyTracer.Trace trace) {

    static ProxyExchange of(HttpServerRequest request, HttpServerResponse response, ProxyTracer tracer) {
        String target = originForm(request.uri());
        String path = path(target);
        return new ProxyExchange(request, response, HttpMethod.valueOf(request.method().name()), path, target, false,
                tracer.start(request.method().name(), path, request.requestHeaders()));
    }

    ProxyExchange withoutAuthorization() {
        return new ProxyExchange(request, response, method, path, target, true, trace);
    }

    /**
     * {@code /api/tags?x=1} also for an absolute-form target
     * ({@code http://host/api/tags?x=1}, RFC 9112 3.2.2).
     */
    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri; // "*" of OPTIONS, or something Ollama will refuse itself
        }
        int slash = uri.indexOf('/', scheme + 3);
        int query = uri.indexOf('?', scheme + 3);
        if (slash < 0 || (query >= 0 && query < slash)) {
            return "/" + (query < 0 ? "" : uri.substring(query));
        }
        return uri.substring(slash);
    }

    private static String path(String target) {
        int end = target.length();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return target.substring(0, end);
    }
}
