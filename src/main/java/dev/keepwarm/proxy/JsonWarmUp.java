package dev.keepwarm.proxy;

import java.math.BigDecimal;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Jackson builds its (de)serializers on first use under a lock; done on an event loop
 * under load, concurrent first requests would wait on that lock. Building them once at
 * start-up keeps the event loop from ever blocking there.
 */
final class JsonWarmUp {

    private JsonWarmUp() {
    }

    static JsonMapper warm(JsonMapper mapper) {
        JsonNode node = mapper.readTree("{\"model\":\"m\",\"n\":[1,1.5,\"x\",true,null,{}]}");
        mapper.readTree("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        mapper.writeValueAsBytes(node);
        mapper.writeValueAsString(Map.of("error", "warm-up"));
        mapper.writeValueAsString("warm-up");
        for (Object value : new Object[] { 1L, new BigDecimal("0.5"), Boolean.TRUE, "x" }) {
            // the policy's option values, as the rewrite writes them
            mapper.writeValueAsString(value);
        }
        return mapper;
    }

}
