package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BiFunction;

import dev.keepwarm.fleet.OllamaVersion;
import dev.keepwarm.policy.ModelName;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Merges the complete JSON answers of a fleet's hosts (issue 13, "Routes without a
 * model") into the one answer the client gets: the union of the catalogues for GET
 * /api/tags, what runs where for GET /api/ps, the oldest version for GET /api/version,
 * and the outcome of a non-streamed state-changing route sent to every host. Failures
 * read as {@link FanOutStream}'s ({@code pull failed on gpu1: HTTP 404: ..; gpu2: ..}),
 * every body keepwarm writes is Ollama's {@code {"error":".."}} shape. Pure: the caller
 * collects the (small, bounded) bodies and writes the answer.
 */
final class FleetAnswers {

    /** Built and warmed when the class loads: first use takes a lock (see JsonWarmUp). */
    private static final JsonMapper JSON = JsonWarmUp.warm(JsonMapper.builder()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .build());

    /** How much of a body that is not Ollama's error shape an error message quotes. */
    static final int MAX_QUOTED = 200;

    private static final byte[] NONE = new byte[0];

    private FleetAnswers() {
    }

    /**
     * One host's complete answer.
     *
     * @param host the host's name, as errors and {@code /api/ps} entries name it
     * @param status the HTTP status, 0 when the host gave no HTTP answer at all
     * @param body the body as received; for status 0 why the host could not be reached
     */
    record HostBody(String host, int status, byte[] body) {

        HostBody {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(body, "body");
        }

        /** A host that gave no HTTP answer (refused, reset, timed out). */
        static HostBody unreachable(String host, String reason) {
            return new HostBody(host, 0, reason.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * A host whose connection failed, worded as {@link HostLines} words a cut body.
         */
        static HostBody unreachable(String host, Throwable failure) {
            String message = failure.getMessage();
            return unreachable(host, (message != null) ? message : failure.getClass().getSimpleName());
        }

    }

    /** What the client gets: a status and a body (JSON, or empty as Ollama's own). */
    record Answer(int status, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

    }

    /**
     * GET /api/tags: every model of every host that answered, once by normalized name
     * (the first host's entry, as it sent it), most recently modified first as Ollama
     * sorts (server/model_list_cache.go sortListModelResponses: stable, by whole
     * seconds).
     */
    static Answer tags(List<HostBody> hosts) {
        return models("GET /api/tags", hosts, "modified_at", (host, entry) -> entry, true);
    }

    /**
     * GET /api/ps: every host's running models, each with {@code "host"} as its first
     * member, longest time left first as Ollama sorts (server/routes.go PsHandler).
     */
    static Answer ps(List<HostBody> hosts) {
        return models("GET /api/ps", hosts, "expires_at", (host, entry) -> {
            // first, as on FanOutStream's lines; keepwarm's name wins over any Ollama
            // sent
            ObjectNode placed = JSON.createObjectNode().put("host", host);
            for (Map.Entry<String, JsonNode> member : entry.properties()) {
                if (!member.getKey().equals("host")) {
                    placed.set(member.getKey(), member.getValue());
                }
            }
            return placed;
        }, false);
    }

    /** GET /api/version: the oldest version among the hosts that answered. */
    static Answer version(List<HostBody> hosts) {
        StringJoiner failed = new StringJoiner("; ");
        List<String> versions = read(hosts, failed, (host, answer) -> {
            JsonNode version = answer.get("version");
            if (version == null || !version.isString()) {
                throw new IllegalArgumentException("no version");
            }
            return version.stringValue();
        });
        return OllamaVersion.oldest(versions)
            .map(oldest -> new Answer(200, JSON.writeValueAsBytes(Map.of("version", oldest))))
            .orElseGet(() -> noHostAnswered("GET /api/version", failed));
    }

    /**
     * A non-streamed state-changing route sent to every host (delete, copy, blob upload;
     * pull, create, push with stream false): Ollama's own answer of the first host when
     * every host answered 2xx; else the first failure's status (502 for no HTTP answer)
     * with one error naming every failed host in order.
     */
    static Answer fanOut(String operation, List<HostBody> hosts) {
        check(hosts);
        StringJoiner failed = new StringJoiner("; ", operation + " failed on ", "");
        int status = 0;
        for (HostBody host : hosts) {
            if (host.status() < 200 || host.status() > 299) {
                status = (status != 0) ? status : errorStatus(host.status());
                failed.add(host.host() + ": " + failure(host));
            }
        }
        HostBody first = hosts.get(0);
        return (status == 0) ? new Answer(first.status(), first.body()) : error(status, failed.toString());
    }

    /**
     * HEAD /api/blobs/:digest: 200 when every host has the blob; 502 when a host could
     * not tell (5xx, another unexpected status, no answer); else the first host's refusal
     * (404: it lacks the blob). No body, as for any HEAD.
     */
    static Answer blobHead(List<HostBody> hosts) {
        check(hosts);
        int status = 200;
        for (HostBody host : hosts) {
            if (host.status() == 200) {
                continue;
            }
            if (host.status() < 400 || host.status() > 499) {
                return new Answer(502, NONE);
            }
            status = (status != 200) ? status : host.status();
        }
        return new Answer(status, NONE);
    }

    /**
     * The {@code X-Keepwarm-Upstream} value of a fan-out answer: the names,
     * comma-separated.
     */
    static String hostsHeader(List<String> hosts) {
        if (hosts.isEmpty() || new HashSet<>(hosts).size() != hosts.size()) {
            throw new IllegalArgumentException("hosts must be unique, at least one: " + hosts);
        }
        for (String host : hosts) {
            if (host.isEmpty() || host.chars().anyMatch(c -> c == ',' || c <= ' ' || c >= 0x7f)) {
                throw new IllegalArgumentException("host name not fit for a header list: \"" + host + "\"");
            }
        }
        return String.join(",", hosts);
    }

    private static Answer models(String route, List<HostBody> hosts, String time,
            BiFunction<String, ObjectNode, ObjectNode> entry, boolean once) {
        StringJoiner failed = new StringJoiner("; ");
        List<List<ObjectNode>> answers = read(hosts, failed, (host, answer) -> {
            JsonNode models = answer.get("models");
            // Go writes a nil slice as null
            if (models == null || !(models.isArray() || models.isNull())) {
                throw new IllegalArgumentException("no models array");
            }
            List<ObjectNode> entries = new ArrayList<>();
            for (JsonNode model : models) {
                if (!model.isObject()) {
                    throw new IllegalArgumentException("a model that is no JSON object");
                }
                entries.add(entry.apply(host, (ObjectNode) model));
            }
            return entries;
        });
        if (answers.isEmpty()) {
            return noHostAnswered(route, failed);
        }
        Set<String> seen = new HashSet<>();
        List<ObjectNode> merged = new ArrayList<>();
        for (List<ObjectNode> entries : answers) {
            for (ObjectNode model : entries) {
                String key = once ? key(model) : null;
                if (key == null || seen.add(key)) {
                    merged.add(model);
                }
            }
        }
        // List.sort is stable, as Go's slices.SortStableFunc: ties keep the hosts' order
        merged.sort(Comparator.comparingLong((ObjectNode model) -> epochSecond(model.get(time))).reversed());
        ObjectNode body = JSON.createObjectNode();
        ArrayNode models = body.putArray("models");
        merged.forEach(models::add);
        return new Answer(200, JSON.writeValueAsBytes(body));
    }

    /**
     * Each 200 answer that is a JSON object, read, in the hosts' order; why the rest
     * failed.
     */
    private static <T> List<T> read(List<HostBody> hosts, StringJoiner failed, BiFunction<String, JsonNode, T> reader) {
        check(hosts);
        List<T> read = new ArrayList<>();
        for (HostBody host : hosts) {
            if (host.status() != 200) {
                failed.add(host.host() + ": " + failure(host));
                continue;
            }
            try {
                JsonNode answer = JSON.readTree(host.body());
                if (!answer.isObject()) {
                    throw new IllegalArgumentException("not a JSON object");
                }
                read.add(reader.apply(host.host(), answer));
            }
            catch (JacksonException malformed) {
                failed.add(host.host() + ": unreadable answer: " + malformed.getOriginalMessage());
            }
            catch (IllegalArgumentException unexpected) {
                failed.add(host.host() + ": unreadable answer: " + unexpected.getMessage());
            }
        }
        return read;
    }

    /**
     * A model's identity across hosts; null for an entry without a name, kept as it is.
     */
    private static @Nullable String key(ObjectNode model) {
        JsonNode name = model.get("name");
        JsonNode id = (name != null && name.isString()) ? name : model.get("model");
        return (id != null && id.isString()) ? ModelName.normalize(id.stringValue()) : null;
    }

    /**
     * Go's Time.Unix() of an RFC 3339 time; absent or unreadable sorts last, as Go's zero
     * time.
     */
    private static long epochSecond(@Nullable JsonNode time) {
        if (time == null || !time.isString()) {
            return Long.MIN_VALUE;
        }
        try {
            return OffsetDateTime.parse(time.stringValue()).toEpochSecond();
        }
        catch (DateTimeParseException unreadable) {
            return Long.MIN_VALUE;
        }
    }

    /** Why a host failed, worded as {@link HostLines#failure()}. */
    private static String failure(HostBody host) {
        String text = new String(host.body(), StandardCharsets.UTF_8).strip();
        if (host.status() == 0) {
            return "connection error: " + (text.isEmpty() ? "no answer" : text);
        }
        String message = text;
        if (text.length() > MAX_QUOTED) {
            // never half a surrogate pair: Jackson would write it as bytes no parser
            // reads
            int end = Character.isHighSurrogate(text.charAt(MAX_QUOTED - 1)) ? MAX_QUOTED - 1 : MAX_QUOTED;
            message = text.substring(0, end) + "...";
        }
        try {
            JsonNode error = JSON.readTree(host.body()).get("error");
            if (error != null && error.isString()) {
                message = error.stringValue();
            }
        }
        catch (JacksonException notJson) {
            // the raw text is all there is
        }
        return "HTTP " + host.status() + (message.isEmpty() ? "" : ": " + message);
    }

    /** Ollama's own error status passes on; anything else is keepwarm's bad gateway. */
    private static int errorStatus(int status) {
        return (status >= 400 && status <= 599) ? status : 502;
    }

    private static Answer noHostAnswered(String route, StringJoiner failed) {
        return error(502, "keepwarm: no Ollama host answered " + route + ": " + failed);
    }

    private static Answer error(int status, String message) {
        return new Answer(status, JSON.writeValueAsBytes(Map.of("error", message)));
    }

    private static void check(List<HostBody> hosts) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no host answered, none was asked");
        }
        Set<String> names = new HashSet<>();
        for (HostBody host : hosts) {
            if (!names.add(host.host())) {
                throw new IllegalArgumentException("host " + host.host() + " given twice");
            }
        }
    }

}
