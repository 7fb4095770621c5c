package dev.keepwarm.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Go's {@code time.ParseDuration} and a compact formatter, because Ollama parses
 * keep_alive strings with exactly that function (OLLAMA-API.md, "keep_alive in a request
 * body").
 */
final class GoDuration {

    private static final Map<String, Long> NANOS_PER_UNIT = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs",
            1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {
    }

    /**
     * Parses like Go: an optional sign, then one or more decimal numbers each followed by
     * a unit; "0" alone is allowed. A bare number such as "300" is not a duration, as in
     * Go.
     */
    static Optional<Duration> parse(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        if (s.isEmpty()) {
            return Optional.empty();
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                return Optional.empty();
            }
            int unitStart = i;
            while (i < s.length() && !isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            Long unit = NANOS_PER_UNIT.get(s.substring(unitStart, i));
            if (unit == null) {
                return Optional.empty();
            }
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unit)));
        }
        BigDecimal signed = negative ? nanos.negate() : nanos;
        if (signed.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                || signed.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) {
            return Optional.empty(); // Go: "invalid duration" on int64 overflow
        }
        return Optional.of(Duration.ofNanos(signed.longValue()));
    }

    /**
     * Go reads ASCII digits only; Character.isDigit would accept other scripts' digits
     * that Ollama rejects.
     */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Formats a non-negative duration the way a person writes it and Go parses it: 1h30m,
     * 90s -> 1m30s, 300ms.
     */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int nanos = d.toNanosPart();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0 || (nanos > 0 && out.length() > 0)) {
            out.append(seconds);
            if (nanos > 0) {
                out.append(fraction(nanos));
            }
            out.append('s');
        }
        else if (nanos > 0) {
            if (nanos % 1_000_000 == 0) {
                out.append(nanos / 1_000_000).append("ms");
            }
            else {
                out.append(nanos).append("ns");
            }
        }
        return out.toString();
    }

    private static String fraction(int nanos) {
        String digits = String.format("%09d", nanos).replaceAll("0+$", "");
        return "." + digits;
    }

}
