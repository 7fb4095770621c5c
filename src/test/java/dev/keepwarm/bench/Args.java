package dev.keepwarm.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of the bench's programs: {@code --name value} pairs, where a name
 * may repeat.
 */
record Args(Map<String, List<String>> values) {

    static Args parse(String[] args) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value at '" + args[i] + "'");
            }
            values.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
        }
        return new Args(values);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String required(String name) {
        List<String> found = all(name);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return found.get(found.size() - 1);
    }

    String value(String name, String fallback) {
        List<String> found = all(name);
        return found.isEmpty() ? fallback : found.get(found.size() - 1);
    }

    long longValue(String name, long fallback) {
        return Long.parseLong(value(name, Long.toString(fallback)));
    }
}
