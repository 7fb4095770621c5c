package dev.keepwarm.support;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.keepwarm.fake.FakeOllama;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Makes the fake Ollama a test class declares, as its one static {@link FakeOllama}
 * field, keepwarm's upstream for that class, and closes it once the class has run (after
 * the class's Spring context, which {@code @DirtiesContext} closes first). The fake's URL
 * is part of the context's cache key, as the class's own {@code @DynamicPropertySource}
 * was: a class never gets a context that talks to another class's fake.
 */
public final class FakeOllamaUpstream implements ContextCustomizerFactory, AfterAllCallback {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return new Upstream(fakeOf(testClass).url());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        fakeOf(context.getRequiredTestClass()).close();
    }

    /**
     * The fake in the one static FakeOllama field of the class or its superclasses;
     * reading it starts it.
     */
    static FakeOllama fakeOf(Class<?> testClass) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == FakeOllama.class) {
                    fields.add(field);
                }
            }
        }
        if (fields.size() != 1) {
            throw new IllegalStateException(testClass.getName() + " must declare exactly one static FakeOllama field, "
                    + "found " + fields.size());
        }
        try {
            Field field = fields.get(0);
            field.setAccessible(true);
            return (FakeOllama) field.get(null);
        }
        catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sets the upstream URL, and a random management port, ahead of every other property
     * source.
     */
    private record Upstream(URI url) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("fakeOllamaUpstream",
                        Map.of("keepwarm.upstream.url", url.toString(), "management.server.port", "0")));
        }
    }

}
