package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One request as the fake Ollama received it, recorded before it was answered.
 *
 * @param method HTTP method, e.g. {@code POST}
 * @param path request path without the query, e.g. {@code /api/generate}
 * @param query raw query string without {@code ?}; empty when there is none
 * @param headers headers with lower-case names (lookups ignore case), values in arrival
 * order
 * @param body the exact body bytes received (empty when there was no body)
 */
public record Received(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

    public Received {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? "" : query;
        headers = copyHeaders(headers);
        body = body == null ? new byte[0] : body.clone();
    }

    /** A copy of the body bytes. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as JSON, or {@code null} when it is empty or not JSON. */
    public JsonNode json() {
        if (body.length == 0) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(body);
        }
        catch (JacksonException e) {
            return null;
        }
    }

    /** The first value of header {@code name} (any case), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Received r && method.equals(r.method) && path.equals(r.path) && query.equals(r.query)
                && headers.equals(r.headers) && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, path, query, headers) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Received[" + method + " " + path + (query.isEmpty() ? "" : "?" + query) + " " + bodyText() + "]";
    }

    private static Map<String, List<String>> copyHeaders(Map<String, List<String>> source) {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (source != null) {
            source.forEach((name, values) -> copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        }
        copy.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(copy);
    }
}
