package dev.keepwarm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

/**
 * The request bodies of the benchmark, shared by bench/run.sh (through {@link #main}) and
 * RewriteBenchmark, so that the micro-benchmark and the end-to-end runs send the same
 * bytes.
 *
 * <pre>
 * Bodies --out FILE --model NAME [--image-bytes N] [--stream true|false]
 * </pre>
 */
public final class Bodies {

    private Bodies() {
    }

    public static void main(String[] args) throws IOException {
        Args options = Args.parse(args);
        byte[] body = generate(options.required("model"), (int) options.longValue("image-bytes", 0),
                Boolean.parseBoolean(options.value("stream", "false")));
        Files.write(Path.of(options.required("out")), body);
    }

    /**
     * A generate request as a client sends it: prompt, keep_alive 5m, options, and for a
     * non-zero size one base64 image (the shape of a multimodal request) of
     * {@code imageBytes} characters, from a fixed seed.
     */
    public static byte[] generate(String model, int imageBytes, boolean stream) {
        StringBuilder body = new StringBuilder("{\"model\":\"").append(model)
            .append("\",\"prompt\":\"What is in this picture? Answer in one sentence.\",\"stream\":")
            .append(stream)
            .append(",\"keep_alive\":\"5m\",\"options\":{\"temperature\":0.2,\"num_predict\":64}");
        if (imageBytes > 0) {
            byte[] raw = new byte[imageBytes / 4 * 3];
            new Random(42).nextBytes(raw);
            body.append(",\"images\":[\"").append(Base64.getEncoder().encodeToString(raw)).append("\"]");
        }
        return body.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

}
