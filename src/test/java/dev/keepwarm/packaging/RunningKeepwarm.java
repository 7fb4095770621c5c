package dev.keepwarm.packaging;

import java.util.Map;

import dev.keepwarm.KeepwarmApplication;
import dev.keepwarm.support.ProxyTestBase;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * keepwarm started the way its container starts it: the given variables are its whole
 * process environment (the test JVM's own are left out), plus command-line arguments for
 * what only a test needs (random ports).
 */
final class RunningKeepwarm implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private RunningKeepwarm(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static RunningKeepwarm start(Map<String, String> environment, String... args) {
        StandardEnvironment spring = new StandardEnvironment();
        spring.getPropertySources()
            .replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.copyOf(environment)));
        return new RunningKeepwarm(
                new SpringApplicationBuilder(KeepwarmApplication.class).main(KeepwarmApplication.class)
                    .environment(spring)
                    .run(args));
    }

    /**
     * Random ports: the container's own 8080 and 8081 may be taken on the machine running
     * the tests.
     */
    static String[] randomPorts(String... more) {
        String[] args = new String[more.length + 2];
        args[0] = "--server.port=0";
        args[1] = "--management.server.port=0";
        System.arraycopy(more, 0, args, 2, more.length);
        return args;
    }

    int proxyPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    }

    int managementPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.management.port", "-1"));
    }

    /** A property as the running application resolved it. */
    String property(String name) {
        return context.getEnvironment().getProperty(name);
    }

    /**
     * What Boot does when a pod starts stopping: readiness becomes REFUSING_TRAFFIC, so
     * /actuator/health/readiness answers 503 while the application still runs.
     */
    void refuseTraffic() {
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
    }

    WebTestClient proxy() {
        return ProxyTestBase
            .webTestClient("http://localhost:" + context.getEnvironment().getProperty("local.server.port"));
    }

    WebTestClient management() {
        return ProxyTestBase
            .webTestClient("http://localhost:" + context.getEnvironment().getProperty("local.management.port"));
    }

    @Override
    public void close() {
        context.close();
    }

}
