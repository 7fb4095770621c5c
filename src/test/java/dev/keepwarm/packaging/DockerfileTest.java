package dev.keepwarm.packaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile: a cached dependency layer, Boot's layers on a Java 25 JRE, non-root,
 * both ports.
 */
class DockerfileTest {

    private static final Dockerfile DOCKERFILE = Dockerfile.parse(ProjectFiles.read("Dockerfile"));

    private static final List<String> LAYERS = List.of("dependencies", "snapshot-dependencies", "application");

    @Test
    void runsOnAJava25Jre() {
        assertThat(DOCKERFILE.stages()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(DOCKERFILE.last().image()).matches("eclipse-temurin:25-jre(-[\\w.-]+)?");
    }

    @Test
    void runsAsANumericNonRootUser() {
        List<String> users = DOCKERFILE.last().arguments("USER");

        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).split(":")[0];
        assertThat(user).matches("\\d+");
        assertThat(Integer.parseInt(user)).isPositive();
    }

    @Test
    void exposesTheProxyAndTheActuator() {
        List<String> ports = DOCKERFILE.last()
            .arguments("EXPOSE")
            .stream()
            .flatMap(arguments -> List.of(arguments.split("\\s+")).stream())
            .toList();

        assertThat(ports).contains("8080", "8081");
    }

    @Test
    void cachesDependenciesBeforeTheSourcesArrive() {
        Dockerfile.Stage build = DOCKERFILE.named("build");
        int pom = build.indexOf("COPY", "pom.xml");
        int offline = build.indexOf("RUN", "dependency:go-offline");
        int sources = build.indexOf("COPY", "src");

        assertThat(build.indexOf("COPY", "mvnw")).isNotNegative().isLessThan(offline);
        assertThat(build.indexOf("COPY", ".mvn")).isNotNegative().isLessThan(offline);
        assertThat(pom).isNotNegative().isLessThan(offline);
        assertThat(offline).isLessThan(sources);
        assertThat(build.indexOf("RUN", "./mvnw -B")).isEqualTo(offline);
    }

    @Test
    void extractsBootsLayersAndCopiesThemLeastChangedFirst() {
        assertThat(DOCKERFILE.named("build").indexOf("RUN", "-Djarmode=tools")).isNotNegative();
        // plain jars, not the launcher's exploded classes: the layout an AOT cache can
        // hold
        assertThat(DOCKERFILE.named("build").indexOf("RUN", "extract --layers --destination")).isNotNegative();
        assertThat(DOCKERFILE.named("build").indexOf("RUN", "--launcher")).isNegative();

        List<String> copied = new ArrayList<>();
        Pattern layer = Pattern.compile("--from=build \\S*/extracted/([\\w-]+)/");
        for (String copy : DOCKERFILE.last().arguments("COPY")) {
            Matcher matcher = layer.matcher(copy);
            if (matcher.find()) {
                copied.add(matcher.group(1));
            }
        }
        assertThat(copied).containsExactlyElementsOf(LAYERS);
        assertThat(entrypoint()).endsWith("-jar", "keepwarm.jar");
    }

    @Test
    void sizesTheHeapToTheContainerAndReadsConfigFromSlashConfig() {
        // half the limit (the chart's 512Mi: 256 MB, as the systemd unit's -Xmx256m),
        // grown from 64 MB as needed
        assertThat(entrypoint()).contains("-XX:MaxRAMPercentage=50", "-Xms64m", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError");
        assertThat(DOCKERFILE.last().arguments("ENV"))
            .contains("SPRING_CONFIG_ADDITIONAL_LOCATION=optional:file:/config/");
    }

    /**
     * The AOT cache is trained in the runtime stage, on the copied application, with the
     * entrypoint's JVM and flags (a cache made with other flags or another class path is
     * ignored), and the entrypoint uses it.
     */
    @Test
    void trainsTheAotCacheAsTheEntrypointRunsAndStartsOnIt() {
        Dockerfile.Stage run = DOCKERFILE.last();
        int training = run.indexOf("RUN", "-XX:AOTCacheOutput=keepwarm.aot");
        assertThat(training).as("training run in the last stage").isNotNegative();
        assertThat(training).isGreaterThan(run.indexOf("COPY", "/extracted/application/"));
        List<String> train = exec(run.instructions().get(training).arguments());
        assertThat(train).contains("-Dspring.context.exit=onRefresh").endsWith("-jar", "keepwarm.jar");
        assertThat(entrypoint()).contains("-XX:AOTCache=keepwarm.aot");

        List<String> trainFlags = new ArrayList<>(train);
        trainFlags.removeAll(List.of("-XX:AOTCacheOutput=keepwarm.aot", "-Dspring.context.exit=onRefresh"));
        List<String> runFlags = new ArrayList<>(entrypoint());
        runFlags.remove("-XX:AOTCache=keepwarm.aot");
        assertThat(trainFlags).containsExactlyElementsOf(runFlags);
    }

    private static List<String> entrypoint() {
        List<String> entrypoint = DOCKERFILE.last().arguments("ENTRYPOINT");
        assertThat(entrypoint).hasSize(1);
        return exec(entrypoint.get(0));
    }

    /** An exec-form (JSON array) instruction's words. */
    private static List<String> exec(String arguments) {
        List<?> words = new Yaml().load(arguments);
        return words.stream().map(Object::toString).toList();
    }

    @Test
    void dockerignoreKeepsWhatTheBuildCopies() {
        List<String> patterns = ProjectFiles.read(".dockerignore")
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();

        assertThat(patterns).first().isEqualTo("*");
        assertThat(patterns).contains("!mvnw", "!.mvn", "!pom.xml", "!src/main");
        assertThat(patterns).doesNotContain("!target", "!src/test");
    }

    /**
     * The HEALTHCHECK (the JRE image has no curl) run as Docker runs it, against a
     * stand-in for the management port: healthy on 200 from /actuator/health/readiness,
     * unhealthy on 503.
     */
    @Test
    void healthcheckPassesOnlyWhenReadinessAnswers200() throws IOException {
        Tools.require("bash", "bash");
        List<String> healthcheck = healthcheckCommand();
        assertThat(healthcheck).startsWith("bash", "-c");
        assertThat(String.join(" ", healthcheck)).doesNotContain("curl", "wget")
            .contains("127.0.0.1/8081", "/actuator/health/readiness");

        assertThat(runHealthcheckAgainst(healthcheck, 200)).isZero();
        assertThat(runHealthcheckAgainst(healthcheck, 503)).isNotZero();
    }

    private static List<String> healthcheckCommand() {
        String healthcheck = DOCKERFILE.last().arguments("HEALTHCHECK").get(0);
        String json = healthcheck.substring(healthcheck.indexOf("CMD") + 3).strip();
        // exec form: a JSON array, which is YAML too
        List<?> command = new Yaml().load(json);
        return command.stream().map(Object::toString).toList();
    }

    private static int runHealthcheckAgainst(List<String> healthcheck, int status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/actuator/health/readiness", exchange -> {
            byte[] body = (status == 200 ? "{\"status\":\"UP\"}" : "{\"status\":\"OUT_OF_SERVICE\"}").getBytes();
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            List<String> command = healthcheck.stream()
                .map(part -> part.replace("127.0.0.1/8081", "127.0.0.1/" + server.getAddress().getPort()))
                .toList();
            return Tools.run(ProjectFiles.ROOT, command).exitCode();
        }
        finally {
            server.stop(0);
        }
    }

}
