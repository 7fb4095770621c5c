package dev.keepwarm.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fake.Received;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * A fleet of in-process fake Ollamas named {@code gpu0}, {@code gpu1}, ..., on
 * {@link TestClock#CLOCK}: what {@code keepwarm.upstream.hosts[i].name/url} point a
 * keepwarm at. A test class declares one static FakeFleet field; {@link Hosts} makes it
 * the class's upstream (as {@link FakeOllamaUpstream} does for one fake) and closes its
 * fakes once the class has run.
 */
public final class FakeFleet implements AutoCloseable {

    private final Map<String, FakeOllama> hosts = new LinkedHashMap<>();

    private final Map<String, Map<String, String>> hostProperties = new LinkedHashMap<>();

    private FakeFleet(int size, Consumer<FakeOllama> setup) {
        for (int i = 0; i < size; i++) {
            FakeOllama fake = FakeOllama.start(TestClock.CLOCK);
            hosts.put("gpu" + i, fake);
            setup.accept(fake);
        }
    }

    /**
     * Starts {@code size} fakes, each given to {@code setup} (the models every host has).
     */
    public static FakeFleet start(int size, Consumer<FakeOllama> setup) {
        return new FakeFleet(size, setup);
    }

    /**
     * Sets one more key of the host's {@code keepwarm.upstream.hosts[i]} entry, such as
     * {@code max-loaded} or {@code memory}. Keys of that list go here, not in a test's
     * properties: Boot binds a list from one property source, so the test's would drop
     * the fleet's names and URLs.
     */
    public FakeFleet hostProperty(String host, String key, String value) {
        host(host);
        hostProperties.computeIfAbsent(host, name -> new LinkedHashMap<>()).put(key, value);
        return this;
    }

    /** The fake of the host with this name. */
    public FakeOllama host(String name) {
        FakeOllama fake = hosts.get(name);
        if (fake == null) {
            throw new IllegalArgumentException("no fake host " + name + " in " + hosts.keySet());
        }
        return fake;
    }

    /** The host names, gpu0 first. */
    public List<String> names() {
        return List.copyOf(hosts.keySet());
    }

    /** Every fake, by host name. */
    public Map<String, FakeOllama> hosts() {
        return Map.copyOf(hosts);
    }

    /**
     * The properties that make a keepwarm front this fleet:
     * {@code keepwarm.upstream.hosts[i].name} and {@code .url}.
     */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, FakeOllama> host : hosts.entrySet()) {
            properties.put("keepwarm.upstream.hosts[" + i + "].name", host.getKey());
            properties.put("keepwarm.upstream.hosts[" + i + "].url", host.getValue().url().toString());
            for (Map.Entry<String, String> extra : hostProperties.getOrDefault(host.getKey(), Map.of()).entrySet()) {
                properties.put("keepwarm.upstream.hosts[" + i + "]." + extra.getKey(), extra.getValue());
            }
            i++;
        }
        return properties;
    }

    /** The hosts where the fake lists the model loaded with keep_alive forever. */
    public List<String> pinnedOn(String model) {
        String full = model.contains(":") ? model : model + ":latest";
        List<String> on = new ArrayList<>();
        hosts.forEach((name, fake) -> {
            if (fake.loaded().stream().anyMatch(m -> m.name().equals(full) && m.forever())) {
                on.add(name);
            }
        });
        return on;
    }

    /** The hosts where the model is loaded at all. */
    public List<String> loadedOn(String model) {
        String full = model.contains(":") ? model : model + ":latest";
        List<String> on = new ArrayList<>();
        hosts.forEach((name, fake) -> {
            if (fake.loaded().stream().anyMatch(m -> m.name().equals(full))) {
                on.add(name);
            }
        });
        return on;
    }

    /** How many loads of the model each host completed. */
    public Map<String, Integer> loadCounts(String model) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        hosts.forEach((name, fake) -> counts.put(name, fake.loadCount(model)));
        return counts;
    }

    /**
     * The requests on {@code path} each host received whose JSON body names the model (as
     * sent, or with {@code :latest} added).
     */
    public Map<String, List<Received>> receivedFor(String path, String model) {
        Map<String, List<Received>> received = new LinkedHashMap<>();
        hosts.forEach(
                (name, fake) -> received.put(name, fake.received(path).stream().filter(r -> names(r, model)).toList()));
        return received;
    }

    private static boolean names(Received request, String model) {
        JsonNode json = request.json();
        if (json == null || !json.has("model")) {
            return false;
        }
        String named = json.get("model").asString();
        String full = model.contains(":") ? model : model + ":latest";
        return named.equals(model) || named.equals(full);
    }

    @Override
    public void close() {
        hosts.values().forEach(FakeOllama::close);
    }

    /**
     * Makes the fleet in the one static FakeFleet field of a test class the upstream of
     * its Spring context (with a random management port), and closes the fleet after the
     * class (after the class's context, which {@code @DirtiesContext} closes first).
     */
    public static final class Hosts implements ContextCustomizerFactory, AfterAllCallback {

        @Override
        public ContextCustomizer createContextCustomizer(Class<?> testClass,
                List<ContextConfigurationAttributes> configAttributes) {
            FakeFleet fleet = fleetOf(testClass);
            return fleet == null ? null : new Upstream(fleet.properties());
        }

        @Override
        public void afterAll(ExtensionContext context) {
            FakeFleet fleet = fleetOf(context.getRequiredTestClass());
            if (fleet != null) {
                fleet.close();
            }
        }

        private static FakeFleet fleetOf(Class<?> testClass) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && field.getType() == FakeFleet.class) {
                        fields.add(field);
                    }
                }
            }
            if (fields.isEmpty()) {
                return null;
            }
            if (fields.size() > 1) {
                throw new IllegalStateException(
                        testClass.getName() + " must declare one static FakeFleet field, found " + fields.size());
            }
            try {
                Field field = fields.get(0);
                field.setAccessible(true);
                return (FakeFleet) field.get(null);
            }
            catch (IllegalAccessException ex) {
                throw new IllegalStateException(ex);
            }
        }

    }

    /**
     * The fleet's hosts and a random management port, ahead of every other property
     * source; part of the context's cache key.
     */
    private record Upstream(Map<String, String> properties) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            Map<String, Object> all = new LinkedHashMap<>(properties);
            all.put("management.server.port", "0");
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("fakeFleet", all));
        }

    }

}
