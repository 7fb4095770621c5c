package dev.keepwarm.fake;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The fake's JSON mapper and the time format Go's encoding/json writes. */
final class Json {

    /**
     * Go's decoder reads one value and ignores what follows it, so trailing tokens are
     * not an error.
     */
    static final JsonMapper MAPPER = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    static {
        // Jackson builds and caches a (de)serializer under a lock on first use; done
        // here, at class load, so two
        // event loops decoding the first requests at once never park on it (BlockHound
        // failed a run on that)
        MAPPER.readTree("{\"a\":[1,\"b\",true,null,{}]}");
        MAPPER.writeValueAsBytes(MAPPER.createObjectNode().put("a", 1).set("b", MAPPER.createArrayNode().add(1.5)));
    }

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    /** One NDJSON line: the object and a newline. */
    static byte[] line(JsonNode node) {
        byte[] json = bytes(node);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    /**
     * RFC 3339 with nanoseconds, trailing zeros trimmed, {@code Z} for UTC: Go's
     * time.Time in JSON.
     */
    static String time(Instant instant, ZoneId zone) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(instant, zone));
    }

    /** Ollama stamps responses with {@code time.Now().UTC()}. */
    static String utc(Instant instant) {
        return time(instant, ZoneOffset.UTC);
    }

}
