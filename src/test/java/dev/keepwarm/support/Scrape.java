package dev.keepwarm.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text scrape, parsed into samples a test can look up by name and labels.
 */
public final class Scrape {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final List<Sample> samples = new ArrayList<>();

    /** GET /actuator/prometheus on the management port, within 10 s. */
    public static Scrape of(int managementPort) {
        return new Scrape(
                org.springframework.web.reactive.function.client.WebClient.create("http://localhost:" + managementPort)
                    .get()
                    .uri("/actuator/prometheus")
                    .retrieve()
                    .bodyToMono(String.class)
                    .block(java.time.Duration.ofSeconds(10)));
    }

    public Scrape(String text) {
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, parse(m.group(4))));
        }
    }

    /**
     * Sum of the samples with this name whose labels include the given pairs (name,
     * value, name, value...).
     */
    public double value(String name, String... labelPairs) {
        return find(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    public List<Sample> find(String name, String... labelPairs) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    /**
     * Every metric family name present (samples' names without _bucket/_count/_sum/_max
     * suffixes kept as is).
     */
    public List<String> names() {
        return samples.stream().map(Sample::name).distinct().toList();
    }

    private static double parse(String value) {
        return switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        };
    }

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

}
