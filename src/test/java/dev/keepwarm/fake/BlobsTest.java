package dev.keepwarm.fake;

import static dev.keepwarm.fake.TestClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HEAD and POST /api/blobs/:digest against Ollama's HeadBlobHandler and CreateBlobHandler
 * (server/routes.go).
 */
class BlobsTest {

    private static final byte[] CONTENT = "GGUF fake weights".getBytes(StandardCharsets.UTF_8);

    private static final String DIGEST = Layer.sha256(CONTENT);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private FakeOllama ollama;

    private TestClient client;

    @BeforeEach
    void start() {
        ollama = FakeOllama.start().modelManagement(true);
        client = new TestClient(ollama);
    }

    @AfterEach
    void stop() {
        ollama.close();
    }

    @Test
    void headOfABlobTheFakeLacksIs404WithoutBody() {
        HttpResponse<String> response = client.head("/api/blobs/" + DIGEST);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void uploadWithTheRightDigestIsCreatedAndThenHeld() {
        HttpResponse<String> upload = upload(DIGEST, CONTENT);

        assertThat(upload.statusCode()).isEqualTo(201);
        assertThat(upload.body()).isEmpty();
        assertThat(client.head("/api/blobs/" + DIGEST).statusCode()).isEqualTo(200);
        assertThat(ollama.blobs()).containsExactly(DIGEST);
    }

    @Test
    void uploadOfAHeldBlobIs200() {
        upload(DIGEST, CONTENT);

        assertThat(upload(DIGEST, CONTENT).statusCode()).isEqualTo(200);
    }

    @Test
    void uploadWithAnotherDigestIsRefusedAndNotHeld() {
        String claimed = "sha256:" + "0".repeat(64);

        assertError(upload(claimed, CONTENT), 400,
                "digest mismatch, expected \"" + claimed + "\", got \"" + DIGEST + "\"");
        assertThat(client.head("/api/blobs/" + claimed).statusCode()).isEqualTo(404);
        assertThat(ollama.blobs()).isEmpty();
    }

    @Test
    void malformedDigestIsRefused() {
        assertError(upload("sha256:abc", CONTENT), 400, "invalid digest format");
        assertThat(client.head("/api/blobs/md5:abc").statusCode()).isEqualTo(400);
    }

    @Test
    void largeUploadIsHashedAsItArrivesAndJournaledWithoutItsBody() throws Exception {
        long size = 64L * 1024 * 1024;
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(new Zeros(size), expected)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String digest = "sha256:" + HexFormat.of().formatHex(expected.digest());

        HttpResponse<String> response = send(HttpRequest.newBuilder(ollama.url().resolve("/api/blobs/" + digest))
            .POST(HttpRequest.BodyPublishers
                .fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(size)), size))
            .timeout(Duration.ofSeconds(30))
            .build());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(ollama.received("POST", "/api/blobs/" + digest)).singleElement().satisfies(r -> {
            assertThat(r.body()).isEmpty();
            assertThat(r.header("content-length")).isEqualTo(String.valueOf(size));
        });
    }

    @Test
    void blobRoutesAreJournaledByMethod() {
        client.head("/api/blobs/" + DIGEST);
        upload(DIGEST, CONTENT);
        client.head("/api/blobs/" + DIGEST);

        assertThat(ollama.received("HEAD", "/api/blobs/" + DIGEST)).hasSize(2);
        assertThat(ollama.received("POST", "/api/blobs/" + DIGEST)).hasSize(1);
    }

    @Test
    void uploadHonoursAnArmedFailure() {
        ollama.failNext("/api/blobs/" + DIGEST, 500, "{\"error\":\"disk full\"}");

        assertThat(upload(DIGEST, CONTENT).statusCode()).isEqualTo(500);
        assertThat(ollama.blobs()).isEmpty();
        assertThat(upload(DIGEST, CONTENT).statusCode()).isEqualTo(201);
    }

    @Test
    void uploadFromAForeignHostIs403() {
        String response;
        try (RawHttp raw = RawHttp.connect(ollama)) {
            response = raw
                .send("POST", "/api/blobs/" + DIGEST, "example.com", new String(CONTENT, StandardCharsets.UTF_8))
                .readToEnd();
        }

        assertThat(RawHttp.status(response)).isEqualTo(403);
        assertThat(ollama.blobs()).isEmpty();
        assertThat(ollama.received("POST", "/api/blobs/" + DIGEST)).hasSize(1);
    }

    @Test
    void withoutModelManagementTheRoutesAreGinsNotFound() {
        try (FakeOllama plain = FakeOllama.start()) {
            TestClient plainClient = new TestClient(plain);
            HttpResponse<String> upload = send(HttpRequest.newBuilder(plain.url().resolve("/api/blobs/" + DIGEST))
                .POST(HttpRequest.BodyPublishers.ofByteArray(CONTENT))
                .build());

            assertThat(upload.statusCode()).isEqualTo(404);
            assertThat(upload.body()).isEqualTo("404 page not found");
            assertThat(plainClient.post("/api/pull", "{\"model\":\"llama3.2\"}").body())
                .isEqualTo("404 page not found");
            assertThat(plainClient.head("/api/blobs/" + DIGEST).statusCode()).isEqualTo(404);
            assertThat(plain.received()).extracting(Received::method).containsExactly("POST", "POST", "HEAD");
        }
    }

    private HttpResponse<String> upload(String digest, byte[] content) {
        return send(HttpRequest.newBuilder(ollama.url().resolve("/api/blobs/" + digest))
            .POST(HttpRequest.BodyPublishers.ofByteArray(content))
            .timeout(Duration.ofSeconds(10))
            .build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code size} zero bytes, made as they are read. */
    private static final class Zeros extends InputStream {

        private long left;

        Zeros(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }

    }

}
