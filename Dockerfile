# keepwarm container image.
#   docker build -t keepwarm .
#   docker run -p 8080:8080 -e KEEPWARM_UPSTREAM_URL=http://ollama:11434 -v ./my-policies.yml:/config/application.yml:ro keepwarm
# Plain Dockerfile syntax (no BuildKit-only mounts), so both the classic builder and BuildKit build it.

# ---- build: the Maven wrapper, with the dependencies in their own layer -------------------------------------
# JDK 17 is the project's baseline (maven.compiler.release=17), the same JDK CI builds and tests with.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /build

# Only the build definition first: this layer, and the downloaded dependencies below, stay cached until
# pom.xml or the wrapper changes.
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
RUN chmod +x mvnw && ./mvnw -B -q dependency:go-offline

# Then the code. Tests ran in CI; the image build only compiles and packages (not offline: go-offline misses
# a few artifacts that plugins resolve at run time, and Maven fetches those here).
COPY src/main/ src/main/
# Extracted as plain jars (keepwarm.jar beside lib/*.jar, in Boot's layers), the layout the JVM's AOT cache needs:
# classes in a jar nested in the fat jar, or in an exploded directory, cannot be cached.
RUN ./mvnw -B -q package -Dmaven.test.skip=true \
    && cp target/keepwarm-*.jar keepwarm.jar \
    && java -Djarmode=tools -jar keepwarm.jar extract --layers --destination extracted

# ---- run ------------------------------------------------------------------------------------------------------
# Java 17 bytecode runs on 25; the JRE image has no JDK tools, no curl, and a smaller attack surface.
FROM eclipse-temurin:25-jre
WORKDIR /app

# A fixed numeric UID/GID: Kubernetes' runAsNonRoot can only verify a numeric user.
RUN groupadd --system --gid 10001 keepwarm \
    && useradd --system --uid 10001 --gid keepwarm --home-dir /app --no-create-home --shell /usr/sbin/nologin keepwarm

# Boot's layers, least to most frequently changed: a code change rebuilds only the last, thin layer (and the cache).
# Files stay owned by root: the application reads them and needs no write access (only /tmp).
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./

# The JVM's AOT cache (Java 25, JEP 483 and 514): a training run starts the application context and exits before
# anything starts (spring.context.exit=onRefresh: no port opened, no call to Ollama); every start then maps the
# classes it loaded and linked from keepwarm.aot, and is ready in about half the time. The training runs with the
# ENTRYPOINT's JVM, class path and flags (a cache made for others is ignored, with a warning).
RUN ["java", "-XX:+UseSerialGC", "-Xms64m", "-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError", \
     "--enable-native-access=ALL-UNNAMED", "-XX:AOTCacheOutput=keepwarm.aot", "-Dspring.context.exit=onRefresh", \
     "-jar", "keepwarm.jar"]

# Policies and any other setting: mount a file at /config/application.yml. Environment variables
# (KEEPWARM_UPSTREAM_URL=...) and --key=value arguments work too.
ENV SPRING_CONFIG_ADDITIONAL_LOCATION=optional:file:/config/

USER 10001:10001
# 8080: the Ollama-compatible proxy. 8081: actuator (health probes, /actuator/prometheus).
EXPOSE 8080 8081

# The JRE image has no curl or wget: bash's /dev/tcp speaks just enough HTTP to ask the readiness group.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# Memory: the heap is half the container's memory limit (the chart's 512Mi: 256 MB, the systemd unit's -Xmx256m),
# starts at 64 MB and grows only as needed (the serial collector, which the JVM picks anyway for a container of
# one or two CPUs and less than 1792 MB); 500 concurrent streams stay under 300 MB of RSS (README, Benchmark).
# Netty loads its native epoll transport: Java 25 warns about (and a later Java blocks) native access that is not
# enabled. Add JVM flags with JAVA_TOOL_OPTIONS (-Xmx1g beats the percentage), application arguments
# (--keepwarm.warmer.interval=1m) after the image name.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms64m", "-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError", \
            "--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=keepwarm.aot", "-jar", "keepwarm.jar"]
