package dev.keepwarm.metrics;

import java.nio.charset.StandardCharsets;

/**
 * The numbers Ollama puts in the last object of an answer (the {@code "done":true} line
 * of a stream, or the single object of {@code stream:false} and /api/embed), all
 * durations in nanoseconds (OLLAMA-API.md, "Responses"). Read from the answer's last
 * bytes with a scan for the fields, never by re-parsing the stream.
 *
 * @param loadDurationNs time from the handler start to the model being ready; -1 when
 * absent
 * @param evalCount generated tokens; -1 when absent
 * @param evalDurationNs time spent generating them; -1 when absent
 */
record FinalChunk(long loadDurationNs, long evalCount, long evalDurationNs) {

    private static final byte[] LOAD = key("load_duration");

    private static final byte[] EVAL_COUNT = key("eval_count");

    private static final byte[] EVAL_DURATION = key("eval_duration");

    static final FinalChunk NONE = new FinalChunk(-1, -1, -1);

    /** Scans the last non-empty line of the given tail of an answer. */
    static FinalChunk parse(byte[] tail, int length) {
        int end = length;
        while (end > 0 && (tail[end - 1] == '\n' || tail[end - 1] == '\r' || tail[end - 1] == ' ')) {
            end--;
        }
        int start = end;
        while (start > 0 && tail[start - 1] != '\n') {
            start--;
        }
        if (start == end) {
            return NONE;
        }
        return new FinalChunk(find(LOAD, tail, start, end), find(EVAL_COUNT, tail, start, end),
                find(EVAL_DURATION, tail, start, end));
    }

    private static byte[] key(String name) {
        return ("\"" + name + "\"").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The number after the last occurrence of the key (the top-level field comes last),
     * or -1.
     */
    private static long find(byte[] key, byte[] line, int start, int end) {
        for (int at = end - key.length; at >= start; at--) {
            if (matches(key, line, at)) {
                return number(line, at + key.length, end);
            }
        }
        return -1;
    }

    private static boolean matches(byte[] key, byte[] line, int at) {
        for (int i = 0; i < key.length; i++) {
            if (line[at + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code <spaces> : <spaces> digits}, or -1 when that is not what follows (or it does
     * not fit a long).
     */
    private static long number(byte[] line, int from, int end) {
        int i = from;
        while (i < end && line[i] == ' ') {
            i++;
        }
        if (i >= end || line[i] != ':') {
            return -1;
        }
        i++;
        while (i < end && line[i] == ' ') {
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < end && line[i] >= '0' && line[i] <= '9') {
            if (++digits > 18) {
                return -1;
            }
            value = value * 10 + (line[i] - '0');
            i++;
        }
        return digits == 0 ? -1 : value;
    }
}
