package dev.keepwarm.fleet;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * An Ollama version as /api/version reports it, ordered by Semantic Versioning 2.0.0
 * precedence: issue 13's "'Oldest version' compares semantic versions, a pre-release
 * lower than its release (0.33.0-rc2 < 0.33.0)", and 0.9.0 < 0.10.0. Numeric parts
 * compare as numbers of any length, pre-release identifiers one by one (numeric below
 * alphanumeric, fewer below more), build metadata not at all. Text that is not a SemVer
 * version (no leading {@code v}, no leading zeros) is kept as text and sorts below every
 * version, so the fleet's oldest version is the unknown one rather than a guess. Equal
 * precedence ({@code 1.0.0+a}, {@code 1.0.0+b}) falls back to the text, so the order is
 * total.
 */
public final class OllamaVersion implements Comparable<OllamaVersion> {

    private static final String NUMBER = "0|[1-9][0-9]*";

    private static final String IDENTIFIER = "(?:" + NUMBER + "|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";

    private static final Pattern SEMVER = Pattern.compile("(" + NUMBER + ")\\.(" + NUMBER + ")\\.(" + NUMBER + ")(?:-("
            + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

    private static final Pattern RUN = Pattern.compile("[0-9]+|[^0-9]+");

    private static final Comparator<String> NUMERIC = Comparator.comparingInt(String::length)
        .thenComparing(Comparator.naturalOrder());

    private final String text;

    /** major, minor, patch; null when the text is not a version. */
    private final @Nullable List<String> core;

    private final List<String> preRelease;

    private OllamaVersion(String text, @Nullable List<String> core, List<String> preRelease) {
        this.text = text;
        this.core = core;
        this.preRelease = preRelease;
    }

    /** Parses the text, stripped of surrounding white space; never fails. */
    public static OllamaVersion parse(String version) {
        String text = version.strip();
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            return new OllamaVersion(text, null, List.of());
        }
        List<String> pre = (m.group(4) != null) ? List.of(m.group(4).split("\\.")) : List.of();
        return new OllamaVersion(text, List.of(m.group(1), m.group(2), m.group(3)), pre);
    }

    /** The oldest of the versions as given (stripped), or empty when there are none. */
    public static Optional<String> oldest(Collection<String> versions) {
        return versions.stream().map(OllamaVersion::parse).min(Comparator.naturalOrder()).map(OllamaVersion::text);
    }

    /** The version as reported, stripped. */
    public String text() {
        return this.text;
    }

    /** Whether the text is a semantic version. */
    public boolean isSemantic() {
        return this.core != null;
    }

    @Override
    public int compareTo(OllamaVersion other) {
        int precedence = comparePrecedence(other);
        return (precedence != 0) ? precedence : this.text.compareTo(other.text);
    }

    private int comparePrecedence(OllamaVersion other) {
        if (this.core == null || other.core == null) {
            return Boolean.compare(this.core != null, other.core != null);
        }
        for (int i = 0; i < 3; i++) {
            int c = NUMERIC.compare(this.core.get(i), other.core.get(i));
            if (c != 0) {
                return c;
            }
        }
        if (this.preRelease.isEmpty() || other.preRelease.isEmpty()) {
            // a release is above its pre-releases
            return Boolean.compare(this.preRelease.isEmpty(), other.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(this.preRelease.size(), other.preRelease.size()); i++) {
            int c = compareIdentifiers(this.preRelease.get(i), other.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(this.preRelease.size(), other.preRelease.size());
    }

    private static int compareIdentifiers(String a, String b) {
        boolean aNumeric = a.chars().allMatch(Character::isDigit);
        boolean bNumeric = b.chars().allMatch(Character::isDigit);
        if (aNumeric && bNumeric) {
            return NUMERIC.compare(a, b);
        }
        if (aNumeric || bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return compareNaturally(a, b);
    }

    /**
     * Digit runs inside an identifier compare as numbers, so rc2 < rc10 as Ollama's tags
     * mean it, where SemVer's plain ASCII order would put rc10 first.
     */
    private static int compareNaturally(String a, String b) {
        Matcher left = RUN.matcher(a);
        Matcher right = RUN.matcher(b);
        while (left.find() && right.find()) {
            String x = left.group();
            String y = right.group();
            boolean numbers = Character.isDigit(x.charAt(0)) && Character.isDigit(y.charAt(0));
            int c = numbers ? NUMERIC.compare(withoutLeadingZeros(x), withoutLeadingZeros(y)) : x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    private static String withoutLeadingZeros(String digits) {
        String stripped = digits.replaceFirst("^0+", "");
        return stripped.isEmpty() ? "0" : stripped;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof OllamaVersion version && this.text.equals(version.text);
    }

    @Override
    public int hashCode() {
        return this.text.hashCode();
    }

    @Override
    public String toString() {
        return this.text;
    }

}
