package dev.keepwarm.warmer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.keepwarm.adaptive.HistogramSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;

/**
 * Adaptive mode's learned histories across restarts
 * ({@code keepwarm.adaptive.state-file}): read once at start, written every
 * state-interval (off the event loops) and at shutdown. One line per model,
 * {@code <model> <histogram text>} (see {@link HistogramSnapshot#toText()}), {@code #}
 * lines are comments. Written to a temporary file beside it and moved over it, so a crash
 * leaves the old file or the new one, never half of one. A file that cannot be read is
 * logged and learned anew: a lost history costs cold starts, never the start-up.
 */
final class AdaptiveStateFile implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(AdaptiveStateFile.class);

    private final Path file;

    private final KeepAliveLearner learner;

    AdaptiveStateFile(Path file, KeepAliveLearner learner) {
        this.file = file;
        this.learner = learner;
    }

    /** Reads the file into the learner; a missing file is a first start. */
    void load() {
        try {
            Map<String, HistogramSnapshot> histories = read(file);
            int adopted = learner.restore(histories);
            log.info("Adaptive keep-alive: {} learned histories read from {}", adopted, file);
        }
        catch (NoSuchFileException ex) {
            log.info("Adaptive keep-alive: no state file {} yet; histories are learned from now", file);
        }
        catch (IOException | IllegalArgumentException ex) {
            log.warn("Adaptive keep-alive: state file {} cannot be read ({}); histories are learned anew", file,
                    ex.getMessage());
        }
    }

    /** Writes the file every interval while the subscriptions run. */
    void start(Subscriptions owner, Duration interval) {
        owner.own(Flux.interval(interval, interval)
            .onBackpressureDrop()
            .concatMap(tick -> Mono.fromRunnable(this::save).subscribeOn(Schedulers.boundedElastic()))
            .then());
    }

    /** Writes the learner's histories now; a failure is logged. */
    void save() {
        try {
            write(file, learner.histories());
        }
        catch (IOException | RuntimeException ex) {
            log.warn("Adaptive keep-alive: writing state file {} failed: {}", file, ex.toString());
        }
    }

    @Override
    public void destroy() {
        save();
    }

    static Map<String, HistogramSnapshot> read(Path file) throws IOException {
        Map<String, HistogramSnapshot> histories = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + " has no model and histogram");
            }
            try {
                histories.put(line.substring(0, space), HistogramSnapshot.parse(line.substring(space + 1)));
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + ex.getMessage(), ex);
            }
        }
        return histories;
    }

    static void write(Path file, Map<String, HistogramSnapshot> histories) throws IOException {
        StringBuilder text = new StringBuilder("# keepwarm adaptive keep-alive: learned idle-time histograms\n");
        histories.forEach((model, history) -> text.append(model).append(' ').append(history.toText()).append('\n'));
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory != null) {
            Files.createDirectories(directory);
        }
        Path temporary = Files.createTempFile(directory, absolute.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (AtomicMoveNotSupportedException ex) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

}
