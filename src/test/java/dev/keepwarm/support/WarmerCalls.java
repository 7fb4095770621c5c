package dev.keepwarm.support;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;

import org.springframework.context.ApplicationContext;

/**
 * How many of the warmer's calls to Ollama (/api/ps, pings, /api/show, /api/version) have
 * ended, however they ended: every one goes through the "ollama" Resilience4j retry,
 * whose counts only grow (the breaker's reset on each state change). Evidence, per
 * keepwarm instance, that its reconcile passes ran.
 */
public final class WarmerCalls {

    private WarmerCalls() {
    }

    public static long ended(ApplicationContext context) {
        return ended(context.getBean(RetryRegistry.class));
    }

    public static long ended(RetryRegistry retries) {
        Retry.Metrics calls = retries.retry("ollama").getMetrics();
        return calls.getNumberOfSuccessfulCallsWithoutRetryAttempt()
                + calls.getNumberOfSuccessfulCallsWithRetryAttempt() + calls.getNumberOfFailedCallsWithoutRetryAttempt()
                + calls.getNumberOfFailedCallsWithRetryAttempt();
    }

}
