package dev.keepwarm.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import static dev.keepwarm.packaging.ProjectFiles.at;
import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;

/**
 * What keepwarm's container starts with, as the packaging renders it: the environment
 * (the image's ENV, then the container's own) and the files mounted into it. The files
 * are written under a directory of the test, at their mount path; the one rewrite is that
 * {@code file:<mount path>} in an environment value points there instead.
 */
final class ContainerRun {

    /** The kubelet's link to the current version of a volume's files. */
    private static final String DATA = "..data";

    private final Path root;

    private final Map<String, String> environment = new LinkedHashMap<>();

    private final Map<String, Path> mounts = new LinkedHashMap<>();

    private int versions;

    private ContainerRun(Path root) {
        this.root = root;
        for (String env : Dockerfile.parse(ProjectFiles.read("Dockerfile")).last().arguments("ENV")) {
            environment.put(env.substring(0, env.indexOf('=')), env.substring(env.indexOf('=') + 1));
        }
    }

    /**
     * The first container of the rendered Deployment, with its env and its ConfigMap and
     * Secret volumes.
     */
    static ContainerRun ofHelm(Manifests manifests, Path root) {
        ContainerRun run = new ContainerRun(root);
        Map<String, Object> container = manifests.container();
        for (Object item : list(container.get("env"))) {
            Map<String, Object> env = map(item);
            run.environment.put((String) env.get("name"), env.containsKey("value") ? String.valueOf(env.get("value"))
                    : keyRef(manifests, map(env.get("valueFrom"))));
        }
        for (Object item : list(container.get("volumeMounts"))) {
            Map<String, Object> mount = map(item);
            Map<String, Object> volume = map(list(manifests.podSpec().get("volumes")).stream()
                .filter(v -> mount.get("name").equals(map(v).get("name")))
                .findFirst()
                .orElseThrow());
            String mountPath = (String) mount.get("mountPath");
            if (volume.containsKey("configMap")) {
                Map<String, Object> source = map(volume.get("configMap"));
                run.mountVolume(mountPath,
                        files(named(manifests, "ConfigMap", (String) source.get("name")), source, false));
            }
            else if (volume.containsKey("secret")) {
                Map<String, Object> source = map(volume.get("secret"));
                run.mountVolume(mountPath,
                        files(named(manifests, "Secret", (String) source.get("secretName")), source, true));
            }
            // an emptyDir (/tmp) holds nothing the application reads
            else if (!volume.containsKey("emptyDir")) {
                throw new AssertionError("volume kind not handled: " + volume);
            }
        }
        return run;
    }

    /**
     * The service of the project's docker-compose.yml: its environment and its bind
     * mounts of project files.
     */
    static ContainerRun ofCompose(Map<String, Object> service, Path root) {
        return ofCompose(service, "", UnaryOperator.identity(), root);
    }

    /**
     * The service of the compose file in {@code composeDir} (a project path; bind mounts
     * are relative to it), each mounted file passed through {@code network}: what the
     * compose network's DNS would resolve, such as another service's URL, the test points
     * elsewhere.
     */
    static ContainerRun ofCompose(Map<String, Object> service, String composeDir, UnaryOperator<String> network,
            Path root) {
        ContainerRun run = new ContainerRun(root);
        if (service.get("environment") != null) {
            map(service.get("environment")).forEach((name, value) -> run.environment.put(name, String.valueOf(value)));
        }
        for (Object volume : list(service.get("volumes"))) {
            String[] parts = volume.toString().split(":");
            Path target = Path.of(parts[1]);
            String source = ProjectFiles.path(composeDir).resolve(parts[0]).normalize().toString();
            run.mount(target.getParent().toString(),
                    Map.of(target.getFileName().toString(), network.apply(ProjectFiles.read(Path.of(source)))));
        }
        return run;
    }

    /**
     * The environment the application sees, with mounted paths pointing at their copies:
     * {@code file:<mount path>} anywhere in a value, or a value that is a path under a
     * mount.
     */
    Map<String, String> environment() {
        Map<String, String> rewritten = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            String result = value;
            for (Map.Entry<String, Path> mount : mounts.entrySet()) {
                result = result.replace("file:" + mount.getKey(), "file:" + mount.getValue());
                if (result.startsWith(mount.getKey() + "/")) {
                    result = mount.getValue() + result.substring(mount.getKey().length());
                }
            }
            rewritten.put(name, result);
        });
        return rewritten;
    }

    /**
     * What the kubelet does when a mounted ConfigMap or Secret changes: the new files go
     * into a new timestamped directory, then the {@code ..data} link is swapped to it in
     * one rename, so the application sees the old files or the new ones, never a mix.
     */
    void update(String mountPath, Map<String, String> files) {
        Path dir = Objects.requireNonNull(mounts.get(mountPath), mountPath + " is not mounted");
        try {
            String version = writeVersion(dir, files);
            Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(version));
            Files.move(next, dir.resolve(DATA), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The content of a mounted file, by its path in the container. */
    String file(String containerPath) {
        return ProjectFiles.read(root.resolve(containerPath.substring(1)));
    }

    /**
     * Lays the files out as the kubelet mounts a ConfigMap or Secret volume: each file a
     * link {@code name -> ..data/name}, {@code ..data} a link to a timestamped directory
     * holding the content.
     */
    private void mountVolume(String mountPath, Map<String, String> files) {
        Path dir = root.resolve(mountPath.substring(1));
        try {
            Files.createDirectories(dir);
            Files.createSymbolicLink(dir.resolve(DATA), Path.of(writeVersion(dir, files)));
            for (String name : files.keySet()) {
                Files.createSymbolicLink(dir.resolve(name), Path.of(DATA, name));
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        mounts.put(mountPath, dir);
    }

    /** Bind-mounted files, as Compose mounts them. */
    private void mount(String mountPath, Map<String, String> files) {
        Path dir = root.resolve(mountPath.substring(1));
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        mounts.put(mountPath, dir);
    }

    /** A new ..&lt;timestamp&gt; directory with the files; its name. */
    private String writeVersion(Path dir, Map<String, String> files) throws IOException {
        String version = "..%s_%d"
            .formatted(DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss").format(LocalDateTime.now()), ++versions);
        Path versionDir = Files.createDirectory(dir.resolve(version));
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(versionDir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        return version;
    }

    private static String keyRef(Manifests manifests, Map<String, Object> valueFrom) {
        if (valueFrom.containsKey("secretKeyRef")) {
            Map<String, Object> ref = map(valueFrom.get("secretKeyRef"));
            return decode(at(named(manifests, "Secret", (String) ref.get("name")), "data", ref.get("key")));
        }
        Map<String, Object> ref = map(valueFrom.get("configMapKeyRef"));
        return (String) at(named(manifests, "ConfigMap", (String) ref.get("name")), "data", ref.get("key"));
    }

    /**
     * The files a ConfigMap or Secret volume shows: its items if listed, else every key.
     */
    private static Map<String, String> files(Map<String, Object> object, Map<String, Object> source, boolean secret) {
        Map<String, Object> data = map(object.get("data"));
        Map<String, String> files = new LinkedHashMap<>();
        List<Object> items = source.containsKey("items") ? list(source.get("items")) : null;
        if (items == null) {
            data.forEach((key, value) -> files.put(key, secret ? decode(value) : (String) value));
        }
        else {
            for (Object item : items) {
                Object value = data.get(map(item).get("key"));
                files.put((String) map(item).get("path"), secret ? decode(value) : (String) value);
            }
        }
        return files;
    }

    private static Map<String, Object> named(Manifests manifests, String kind, String name) {
        return manifests.objects()
            .stream()
            .filter(object -> kind.equals(object.get("kind")) && name.equals(at(object, "metadata", "name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private static String decode(Object base64) {
        return new String(Base64.getDecoder().decode((String) base64), StandardCharsets.UTF_8);
    }

}
