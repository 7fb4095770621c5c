package dev.keepwarm.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many slow streams at once: {@code --streams} clients each open an NDJSON generation,
 * read it to the end and open the next one, until {@code --seconds} have passed (no
 * stream is started after that; at most {@code --max-per-client} per client). Meanwhile
 * the resident memory of the named processes is sampled from /proc.
 *
 * <pre>
 * ManyStreams --url http://127.0.0.1:PORT/api/generate --body-file F --streams 500 --seconds 60
 *             [--rss keepwarm=PID] [--rss nginx=PID,PID,...] --out result.json
 * </pre>
 *
 * <p>
 * A stream is an error when it is not 200, carries an error line, ends without its final
 * chunk, or fails with an I/O error (including a read silent for 30 s). Errors are
 * results: the program exits 0 whenever it could run.
 */
public final class ManyStreams {

    private static final int SAMPLES_KEPT = 20;

    private ManyStreams() {
    }

    public static void main(String[] args) throws Exception {
        Args options = Args.parse(args);
        URI url = URI.create(options.required("url"));
        byte[] body = Files.readAllBytes(Path.of(options.required("body-file")));
        int clients = (int) options.longValue("streams", 100);
        long seconds = options.longValue("seconds", 10);
        long maxPerClient = options.longValue("max-per-client", 1000);
        Map<String, long[]> groups = groups(options.all("rss"));

        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        AtomicInteger open = new AtomicInteger();
        AtomicLong completed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong lines = new AtomicLong();
        ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            // spread the connects over the first second
            long rampNanos = Duration.ofSeconds(1).toNanos() * i / clients;
            Thread thread = new Thread(() -> {
                sleepUntil(start + rampNanos);
                for (long n = 0; n < maxPerClient && System.nanoTime() < deadline; n++) {
                    open.incrementAndGet();
                    try {
                        String error = stream(url, body, lines);
                        if (error == null) {
                            completed.incrementAndGet();
                        }
                        else {
                            fail(errors, errorSamples, error);
                        }
                    }
                    catch (IOException | RuntimeException e) {
                        fail(errors, errorSamples, e.toString());
                    }
                    finally {
                        open.decrementAndGet();
                    }
                }
            }, "stream-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }

        List<String> samples = new ArrayList<>();
        Map<String, Long> peakRss = new LinkedHashMap<>();
        int peakOpen = 0;
        long hardStop = deadline + Duration.ofSeconds(60).toNanos();
        while (threads.stream().anyMatch(Thread::isAlive) && System.nanoTime() < hardStop) {
            int nowOpen = open.get();
            peakOpen = Math.max(peakOpen, nowOpen);
            StringJoiner sample = new StringJoiner(",", "{", "}");
            sample.add("\"t\":" + String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
            sample.add("\"open\":" + nowOpen);
            for (Map.Entry<String, long[]> group : groups.entrySet()) {
                long kb = rssKb(group.getValue());
                peakRss.merge(group.getKey(), kb, Math::max);
                sample.add("\"" + group.getKey() + "_rss_kb\":" + kb);
            }
            samples.add(sample.toString());
            Thread.sleep(500);
        }
        boolean finished = threads.stream().noneMatch(Thread::isAlive);
        StringJoiner peaks = new StringJoiner(",", "{", "}");
        peakRss.forEach((name, kb) -> peaks.add("\"" + name + "\":" + kb));
        String json = "{\"clients\":" + clients + ",\"seconds\":" + seconds + ",\"completed\":" + completed.get()
                + ",\"errors\":" + errors.get() + ",\"lines\":" + lines.get() + ",\"peak_open\":" + peakOpen
                + ",\"finished\":" + finished + ",\"elapsed_s\":"
                + String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9) + ",\"peak_rss_kb\":"
                + peaks + ",\"error_samples\":" + StreamProbe.strings(List.copyOf(errorSamples)) + ",\"samples\":["
                + String.join(",", samples) + "]}\n";
        Files.writeString(Path.of(options.required("out")), json);
        System.out.printf("%d clients: %d streams completed, %d errors, peak open %d, peak RSS %s%n", clients,
                completed.get(), errors.get(), peakOpen, peakRss);
    }

    /**
     * Reads one stream to its end; the error, or null when it ended with its final chunk.
     */
    private static String stream(URI url, byte[] body, AtomicLong lines) throws IOException {
        try (NdjsonStream stream = NdjsonStream.post(url, body, Duration.ofSeconds(30))) {
            if (stream.status() != 200) {
                return "status " + stream.status();
            }
            String last = "";
            for (NdjsonStream.Line line = stream.next(); line != null; line = stream.next()) {
                lines.incrementAndGet();
                last = line.text();
            }
            return last.contains("\"error\"") || !last.contains("\"done\":true") ? "bad last line: " + last : null;
        }
    }

    private static void fail(AtomicLong errors, ConcurrentLinkedQueue<String> samples, String error) {
        if (errors.incrementAndGet() <= SAMPLES_KEPT) {
            samples.add(error);
        }
    }

    /** {@code name=pid,pid,...} to name -> pids. */
    private static Map<String, long[]> groups(List<String> specs) {
        Map<String, long[]> groups = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String[] pids = spec.substring(eq + 1).split(",");
            long[] values = new long[pids.length];
            for (int i = 0; i < pids.length; i++) {
                values[i] = Long.parseLong(pids[i].trim());
            }
            groups.put(spec.substring(0, eq), values);
        }
        return groups;
    }

    /** The summed VmRSS of the processes, in KiB (0 for a process that is gone). */
    static long rssKb(long[] pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
            catch (IOException e) {
                // the process is gone: counts as 0
            }
        }
        return total;
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
