package dev.keepwarm.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.keepwarm.packaging.ProjectFiles.list;
import static dev.keepwarm.packaging.ProjectFiles.map;

/**
 * The helm test pod's container run on this machine: its command with its environment,
 * where the Service's {@code http://<name>:<port>} URLs point at a keepwarm on 127.0.0.1
 * and a secretKeyRef takes the value given for it.
 */
final class HookScript {

    private HookScript() {
    }

    /**
     * @param services what each of the pod's URLs becomes, e.g.
     * {@code http://kw-keepwarm:8081 -> http://127.0.0.1:41234}
     * @param secrets the value of each secretKeyRef, by {@code <secret>/<key>}
     */
    static Tools.Run run(Map<String, Object> pod, Map<String, String> services, Map<String, String> secrets) {
        Map<String, Object> container = map(ProjectFiles.at(pod, "spec", "containers", 0));
        List<String> command = new ArrayList<>();
        list(container.get("command")).forEach(part -> command.add((String) part));
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", "/usr/bin:/bin");
        for (Object item : list(container.get("env"))) {
            Map<String, Object> variable = map(item);
            String value;
            if (variable.containsKey("value")) {
                value = (String) variable.get("value");
                for (Map.Entry<String, String> service : services.entrySet()) {
                    value = value.replace(service.getKey(), service.getValue());
                }
            }
            else {
                Map<String, Object> ref = map(ProjectFiles.at(variable, "valueFrom", "secretKeyRef"));
                value = secrets.get(ref.get("name") + "/" + ref.get("key"));
            }
            environment.put((String) variable.get("name"), value);
        }
        return start(command, environment);
    }

    private static Tools.Run start(List<String> command, Map<String, String> environment) {
        try {
            Path output = Files.createTempFile("keepwarm-hook", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
                builder.environment().clear();
                builder.environment().putAll(environment);
                Process process = builder.start();
                process.getOutputStream().close();
                if (!process.waitFor(1, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(command + " did not finish within a minute");
                }
                return new Tools.Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            }
            finally {
                Files.deleteIfExists(output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

}
