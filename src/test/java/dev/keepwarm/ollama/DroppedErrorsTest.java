package dev.keepwarm.ollama;

import java.net.ConnectException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call keepwarm cut whose connect fails afterwards is not an ERROR in the log; other
 * dropped errors still warn.
 */
@ExtendWith(OutputCaptureExtension.class)
class DroppedErrorsTest {

    @BeforeAll
    static void install() {
        DroppedErrors.install();
        DroppedErrors.install(); // once per JVM, however many contexts start
    }

    @Test
    void connectionRefusedAfterACutIsNotLoggedAsAnError(CapturedOutput output) {
        Operators.onErrorDropped(new IllegalStateException("wrapped", new ConnectException("Connection refused")),
                Context.empty());

        assertThat(output.getAll()).doesNotContain(" ERROR ")
            .doesNotContain(" WARN ")
            .doesNotContain("Connection refused");
    }

    @Test
    void anyOtherDroppedErrorIsAWarningOnce(CapturedOutput output) {
        Operators.onErrorDropped(new IllegalStateException("a bug somewhere"), Context.empty());

        assertThat(output.getAll()).doesNotContain(" ERROR ").contains(" WARN ").contains("a bug somewhere");
        assertThat(output.getAll().split("An error arrived after its caller had gone", -1)).hasSize(2);
    }

}
