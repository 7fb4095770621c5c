package dev.keepwarm.metrics;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbers Ollama puts in the last object of an answer (the {@code "done":true} line of a stream, or the
 * single object of {@code stream:false} and /api/embed), all durations in nanoseconds (OLLAMA-API.md, "Responses").
 * Read from the answer's last bytes with a scan for the fields, never by re-parsing the stream.
 *
 * @param loadDurationNs time from the handler start to the model being ready; -1 when absent
 * @param evalCount generated tokens; -1 when absent
 * @param evalDurationNs time spent generating them; -1 when absent
 */
record FinalChunk(long loadDurationNs, long evalCount, long evalDurationNs) {

    private static final Pattern LOAD = Pattern.compile("\"load_duration\"\\s*:\\s*(\\d+)");
    private static final Pattern EVAL_COUNT = Pattern.compile("\"eval_count\"\\s*:\\s*(\\d+)");
    private static final Pattern EVAL_DURATION = Pattern.compile("\"eval_duration\"\\s*:\\s*(\\d+)");

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
        String line = new String(tail, start, end - start, StandardCharsets.UTF_8);
        return new FinalChunk(find(LOAD, line), find(EVAL_COUNT, line), find(EVAL_DURATION, line));
    }

    private static long find(Pattern pattern, String line) {
        Matcher matcher = pattern.matcher(line);
        long value = -1;
        while (matcher.find()) {
            try {
                value = Long.parseLong(matcher.group(1)); // the last occurrence: the top-level field comes last
            } catch (NumberFormatException tooLong) {
                value = -1;
            }
        }
        return value;
    }
}
