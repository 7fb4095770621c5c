package dev.keepwarm.fake;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Failures armed by a test, each consumed by the next matching request to its path. */
final class Faults {

    /** A canned answer: status and JSON body. */
    record Failure(int status, String jsonBody) {
    }

    private final Map<String, Queue<Failure>> failures = new ConcurrentHashMap<>();

    private final Map<String, Queue<Integer>> deaths = new ConcurrentHashMap<>();

    private final java.util.Set<String> hung = ConcurrentHashMap.newKeySet();

    private final Map<String, Queue<StreamError>> streamErrors = new ConcurrentHashMap<>();

    /**
     * An error line a status stream (pull, push, create) sends after {@code afterLines}
     * progress lines, under HTTP 200.
     */
    record StreamError(int afterLines, String message) {
    }

    /**
     * Requests to {@code path} are read and never answered (Ollama #15950), until
     * {@link #answer(String)}.
     */
    void hang(String path) {
        hung.add(path);
    }

    void answer(String path) {
        hung.remove(path);
    }

    boolean hangs(String path) {
        return hung.contains(path);
    }

    void failNext(String path, int status, String jsonBody) {
        failures.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).add(new Failure(status, jsonBody));
    }

    void dieMidStreamNext(String path, int afterChunks) {
        if (afterChunks < 0) {
            throw new IllegalArgumentException("afterChunks must not be negative: " + afterChunks);
        }
        deaths.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).add(afterChunks);
    }

    void errorMidStreamNext(String path, int afterLines, String message) {
        if (afterLines < 0) {
            throw new IllegalArgumentException("afterLines must not be negative: " + afterLines);
        }
        streamErrors.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>())
            .add(new StreamError(afterLines, message));
    }

    Optional<StreamError> takeStreamError(String path) {
        Queue<StreamError> armed = streamErrors.get(path);
        return Optional.ofNullable(armed == null ? null : armed.poll());
    }

    Optional<Failure> takeFailure(String path) {
        Queue<Failure> armed = failures.get(path);
        return Optional.ofNullable(armed == null ? null : armed.poll());
    }

    /**
     * How many chunks the next streamed response to {@code path} may write before the
     * connection dies.
     */
    OptionalInt takeDeath(String path) {
        Queue<Integer> armed = deaths.get(path);
        Integer chunks = armed == null ? null : armed.poll();
        return chunks == null ? OptionalInt.empty() : OptionalInt.of(chunks);
    }

    void clear() {
        failures.clear();
        deaths.clear();
        hung.clear();
        streamErrors.clear();
    }

}
