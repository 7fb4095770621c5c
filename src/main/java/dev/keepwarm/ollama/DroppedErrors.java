package dev.keepwarm.ollama;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Hooks;

/**
 * Errors Reactor drops because nobody waits for them any more. keepwarm cuts calls it
 * stops waiting for (a ps or a ping past its timeout, a client that left); a connect that
 * fails after the cut, Connection refused while Ollama is down, then has no subscriber,
 * and Reactor's default would log it at ERROR with a stack trace, once per reconcile pass
 * of an outage that is already reported once. Such I/O failures are logged at DEBUG;
 * anything else dropped is still a warning. Installed once per JVM (Reactor's hooks are
 * global and add up).
 */
final class DroppedErrors {

    private static final Logger log = LoggerFactory.getLogger(DroppedErrors.class);

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private DroppedErrors() {
    }

    static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            Hooks.onErrorDropped(DroppedErrors::dropped);
        }
    }

    static void dropped(Throwable error) {
        if (isIo(error)) {
            log.debug("A call keepwarm had stopped waiting for failed afterwards: {}", error.toString());
        }
        else {
            log.warn("An error arrived after its caller had gone and was dropped", error);
        }
    }

    private static boolean isIo(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

}
