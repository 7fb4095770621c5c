package dev.keepwarm.support;

import java.util.Properties;

import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.core.env.StandardEnvironment;

/**
 * Runs code that starts keepwarm with logging settings of its own (such as
 * {@code logging.structured.format.console}) and leaves the JVM's logging as it found it.
 * Logback is initialised once per JVM, so the logging system is cleaned up first; Spring
 * Boot keeps its settings in system properties (such as CONSOLE_LOG_STRUCTURED_FORMAT),
 * so those are put back afterwards and logging is initialised again, plain, for the tests
 * that follow.
 */
public final class OwnLogging {

    private OwnLogging() {
    }

    /** Code that may throw. */
    @FunctionalInterface
    public interface Work {

        void run() throws Exception;

    }

    public static void run(Work work) throws Exception {
        Properties before = (Properties) System.getProperties().clone();
        LoggingSystem logging = LoggingSystem.get(OwnLogging.class.getClassLoader());
        logging.cleanUp();
        try {
            work.run();
        }
        finally {
            System.getProperties().keySet().removeIf(key -> !before.containsKey(key));
            before.forEach((key, value) -> System.getProperties().put(key, value));
            logging.cleanUp();
            logging.beforeInitialize();
            logging.initialize(new LoggingInitializationContext(new StandardEnvironment()), null, null);
        }
    }

}
