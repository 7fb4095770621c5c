package dev.keepwarm.policy;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that start-up fails with a message, both in the exception and in the report Boot
 * prints.
 */
final class StartupFailures {

    private StartupFailures() {
    }

    /**
     * Starts the context and checks that start-up fails with each expected text both in
     * the exception (every message down to the root cause) and in the report Boot prints
     * (the failure analysis).
     */
    static void assertStartUpFails(ApplicationContextRunner runner, String... expectedInMessage) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(causeChainText(context.getStartupFailure())).contains(expectedInMessage);
            assertThat(failureReport(context.getStartupFailure())).contains(expectedInMessage);
        });
    }

    /** Every message from the start-up failure down to its root cause. */
    static String causeChainText(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            messages.add(t.getClass().getName() + ": " + t.getMessage());
        }
        return String.join("\ncaused by ", messages);
    }

    /**
     * What Boot prints when start-up fails: the first failure analysis of the exception,
     * as FailureAnalyzers does.
     */
    static String failureReport(Throwable failure) {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, SpringFactoriesLoader.FailureHandler.handleMessage((message, ex) -> {
            }));
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis.getDescription() + "\n" + analysis.getAction();
            }
        }
        return "no failure analysis";
    }

}
