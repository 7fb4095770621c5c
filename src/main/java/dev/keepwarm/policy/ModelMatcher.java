package dev.keepwarm.policy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One rule's {@code match}: an exact Ollama model name or a glob with {@code *} and
 * {@code ?}.
 */
final class ModelMatcher {

    private final String exact;

    private final Pattern glob;

    private final boolean globHasTag;

    ModelMatcher(String match) {
        String m = match.strip();
        if (isGlob(m)) {
            this.exact = null;
            this.glob = Pattern.compile(toRegex(ModelName.withoutDefaults(m.toLowerCase(Locale.ROOT))));
            this.globHasTag = ModelName.hasTag(m);
        }
        else {
            this.exact = ModelName.normalize(m);
            this.glob = null;
            this.globHasTag = false;
        }
    }

    static boolean isGlob(String match) {
        return match.indexOf('*') >= 0 || match.indexOf('?') >= 0;
    }

    /**
     * @param normalized a name from {@link ModelName#normalize(String)}
     */
    boolean matches(String normalized) {
        if (exact != null) {
            return exact.equals(normalized);
        }
        // a glob without a tag ("qwen*", "mistral?") matches every tag of the names it
        // fits
        return glob.matcher(normalized).matches()
                || (!globHasTag && glob.matcher(ModelName.base(normalized)).matches());
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

}
