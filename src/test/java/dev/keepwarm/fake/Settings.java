package dev.keepwarm.fake;

import java.time.Duration;

/**
 * The fake server's environment (OLLAMA_KEEP_ALIVE and friends); tests may change it at
 * any time.
 */
final class Settings {

    private volatile Duration defaultKeepAlive = Duration.ofMinutes(5);

    private volatile int tokenCount = 5;

    private volatile Duration tokenInterval = Duration.ZERO;

    private volatile int maxLoadedModels = 3;

    private volatile boolean requireLoopbackHost = true;

    private volatile boolean recordRequests = true;

    private volatile boolean automaticContext;

    boolean automaticContext() {
        return automaticContext;
    }

    void automaticContext(boolean automatic) {
        this.automaticContext = automatic;
    }

    Duration defaultKeepAlive() {
        return defaultKeepAlive;
    }

    void defaultKeepAlive(Duration keepAlive) {
        this.defaultKeepAlive = KeepAlive.normalize(keepAlive);
    }

    int tokenCount() {
        return tokenCount;
    }

    Duration tokenInterval() {
        return tokenInterval;
    }

    void tokens(int count, Duration interval) {
        if (count < 0 || interval.isNegative()) {
            throw new IllegalArgumentException("tokens need count >= 0 and interval >= 0");
        }
        this.tokenCount = count;
        this.tokenInterval = interval;
    }

    int maxLoadedModels() {
        return maxLoadedModels;
    }

    void maxLoadedModels(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxLoadedModels must be at least 1: " + max);
        }
        this.maxLoadedModels = max;
    }

    boolean requireLoopbackHost() {
        return requireLoopbackHost;
    }

    void requireLoopbackHost(boolean required) {
        this.requireLoopbackHost = required;
    }

    boolean recordRequests() {
        return recordRequests;
    }

    void recordRequests(boolean record) {
        this.recordRequests = record;
    }

}
