package dev.keepwarm.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streaming fidelity: how long each NDJSON chunk takes from the moment the fake Ollama
 * wrote it to the moment it reaches the client, through whatever sits between them. The
 * fake stamps each chunk's {@code created_at} when it builds the chunk, right before
 * Netty writes and flushes it; this client stamps the socket read that delivered the
 * line. Both use the same system clock.
 *
 * <pre>
 * StreamProbe --url http://127.0.0.1:PORT/api/generate --body-file F --streams N --label L --out result.json
 * </pre>
 *
 * <p>
 * Writes the per-chunk delays (microseconds), the gaps between arrivals, and how many
 * lines arrived in the same read as the line before them (batched), and each stream that
 * failed (not 200, an error line, no final chunk, an I/O error): failures are results,
 * not errors of this program.
 */
public final class StreamProbe {

    private static final Pattern CREATED_AT = Pattern.compile("\"created_at\":\"([^\"]+)\"");

    private StreamProbe() {
    }

    public static void main(String[] args) throws IOException {
        Args options = Args.parse(args);
        URI url = URI.create(options.required("url"));
        byte[] body = Files.readAllBytes(Path.of(options.required("body-file")));
        int streams = (int) options.longValue("streams", 1);
        List<Long> delays = new ArrayList<>();
        List<Long> interArrivals = new ArrayList<>();
        int batched = 0;
        int lines = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            try (NdjsonStream stream = NdjsonStream.post(url, body, Duration.ofSeconds(60))) {
                if (stream.status() != 200) {
                    failures.add("status " + stream.status());
                    continue;
                }
                NdjsonStream.Line previous = null;
                String last = "";
                for (NdjsonStream.Line line = stream.next(); line != null; line = stream.next()) {
                    lines++;
                    last = line.text();
                    Matcher stamp = CREATED_AT.matcher(line.text());
                    if (stamp.find()) {
                        long written = NdjsonStream.epochNanos(OffsetDateTime.parse(stamp.group(1)).toInstant());
                        delays.add((line.arrivalEpochNanos() - written) / 1_000);
                    }
                    if (previous != null) {
                        interArrivals.add((line.arrivalEpochNanos() - previous.arrivalEpochNanos()) / 1_000);
                        if (line.read() == previous.read()) {
                            batched++;
                        }
                    }
                    previous = line;
                }
                if (last.contains("\"error\"") || !last.contains("\"done\":true")) {
                    failures.add("stream did not end with a final chunk: " + last);
                }
            }
            catch (IOException | RuntimeException e) {
                failures.add(e.toString());
            }
        }
        String json = "{\"label\":\"" + options.value("label", url.toString()) + "\",\"streams\":" + streams
                + ",\"lines\":" + lines + ",\"batched\":" + batched + ",\"failures\":" + strings(failures)
                + ",\"delay_us\":" + numbers(delays) + ",\"inter_arrival_us\":" + numbers(interArrivals) + "}\n";
        Files.writeString(Path.of(options.required("out")), json);
        System.out.printf("%s: %d lines, %d batched, %d failures%n", options.value("label", ""), lines, batched,
                failures.size());
        if (!failures.isEmpty()) {
            System.err.println("stream failures: " + failures);
        }
    }

    static String numbers(List<Long> values) {
        StringJoiner json = new StringJoiner(",", "[", "]");
        values.forEach(v -> json.add(Long.toString(v)));
        return json.toString();
    }

    static String strings(List<String> values) {
        StringJoiner json = new StringJoiner(",", "[", "]");
        values.forEach(v -> json.add("\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
        return json.toString();
    }

}
