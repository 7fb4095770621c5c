package dev.keepwarm.fake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration}, ported byte for byte (including its unsigned overflow
 * checks and its error messages), because Ollama parses string keep_alive values with it.
 */
final class GoDurations {

    /** 1 << 63 as an unsigned 64-bit value. */
    private static final long TWO_POW_63 = Long.MIN_VALUE;

    private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDurations() {
    }

    /**
     * Parses {@code text} like Go's time.ParseDuration.
     * @throws ApiError 400 with Go's message ({@code time: invalid duration "abc"}) when
     * Go would fail
     */
    static Duration parse(String text) {
        byte[] s = text.getBytes(StandardCharsets.UTF_8);
        String orig = quote(s, 0, s.length);
        int i = 0;
        boolean neg = false;
        if (s.length > 0 && (s[0] == '-' || s[0] == '+')) {
            neg = s[0] == '-';
            i++;
        }
        if (s.length - i == 1 && s[i] == '0') {
            return Duration.ZERO;
        }
        if (i == s.length) {
            throw invalid(orig);
        }
        long d = 0;
        while (i < s.length) {
            if (!(s[i] == '.' || isDigit(s[i]))) {
                throw invalid(orig);
            }
            int start = i;
            long v = 0;
            for (; i < s.length && isDigit(s[i]); i++) {
                if (Long.compareUnsigned(v, Long.divideUnsigned(TWO_POW_63, 10)) > 0) {
                    throw invalid(orig);
                }
                v = v * 10 + (s[i] - '0');
                if (Long.compareUnsigned(v, TWO_POW_63) > 0) {
                    throw invalid(orig);
                }
            }
            boolean pre = i != start;
            long f = 0;
            double scale = 1;
            boolean post = false;
            if (i < s.length && s[i] == '.') {
                i++;
                int fracStart = i;
                boolean overflow = false;
                for (; i < s.length && isDigit(s[i]); i++) {
                    if (overflow) {
                        continue;
                    }
                    if (Long.compareUnsigned(f, Long.MAX_VALUE / 10) > 0) {
                        overflow = true;
                        continue;
                    }
                    long y = f * 10 + (s[i] - '0');
                    if (Long.compareUnsigned(y, TWO_POW_63) > 0) {
                        overflow = true;
                        continue;
                    }
                    f = y;
                    scale *= 10;
                }
                post = i != fracStart;
            }
            if (!pre && !post) {
                throw invalid(orig);
            }
            int unitStart = i;
            while (i < s.length && !(s[i] == '.' || isDigit(s[i]))) {
                i++;
            }
            if (i == unitStart) {
                throw ApiError.badRequest("time: missing unit in duration " + orig);
            }
            Long unit = UNITS.get(new String(s, unitStart, i - unitStart, StandardCharsets.UTF_8));
            if (unit == null) {
                throw ApiError.badRequest("time: unknown unit " + quote(s, unitStart, i) + " in duration " + orig);
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(TWO_POW_63, unit)) > 0) {
                throw invalid(orig);
            }
            v *= unit;
            if (f > 0) {
                v += (long) (unsignedToDouble(f) * (unit / scale));
                if (Long.compareUnsigned(v, TWO_POW_63) > 0) {
                    throw invalid(orig);
                }
            }
            d += v;
            if (Long.compareUnsigned(d, TWO_POW_63) > 0) {
                throw invalid(orig);
            }
        }
        if (neg) {
            return Duration.ofNanos(-d);
        }
        if (Long.compareUnsigned(d, Long.MAX_VALUE) > 0) {
            throw invalid(orig);
        }
        return Duration.ofNanos(d);
    }

    /**
     * Go's time.quote: non-ASCII and control bytes as \xNN, quotes and backslashes
     * escaped.
     */
    static String quote(byte[] s, int from, int to) {
        StringBuilder out = new StringBuilder(to - from + 2).append('"');
        for (int i = from; i < to; i++) {
            int b = s[i] & 0xff;
            if (b >= 0x80 || b < ' ') {
                out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            else {
                if (b == '"' || b == '\\') {
                    out.append('\\');
                }
                out.append((char) b);
            }
        }
        return out.append('"').toString();
    }

    private static ApiError invalid(String quotedOrig) {
        return ApiError.badRequest("time: invalid duration " + quotedOrig);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static double unsignedToDouble(long value) {
        return value >= 0 ? value : (double) (value >>> 1) * 2.0;
    }

}
