package dev.keepwarm.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One POST answered with NDJSON, read over a plain socket so that nothing between the
 * wire and the measurement buffers: every line is stamped with the wall-clock time of the
 * socket read that delivered its last byte, and with that read's number, so that two
 * lines delivered by one read (batched on the way) can be told apart from lines that came
 * one by one.
 */
final class NdjsonStream implements AutoCloseable {

    /**
     * A line of the answer.
     *
     * @param text the line without its newline
     * @param arrivalEpochNanos wall-clock time of the read that completed the line,
     * nanoseconds since the epoch
     * @param read the number of that read (reads are counted from 1 for the whole answer,
     * headers included)
     */
    record Line(String text, long arrivalEpochNanos, long read) {
    }

    private final Socket socket;

    private final TimedInput in;

    private final int status;

    private final boolean chunked;

    private final Map<String, String> headers = new LinkedHashMap<>();

    private long remaining; // bytes left in the current chunk, or in the body when it has
                            // a Content-Length

    private boolean ended;

    private NdjsonStream(Socket socket, TimedInput in) throws IOException {
        this.socket = socket;
        this.in = in;
        String statusLine = in.line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x answer: " + statusLine);
        }
        this.status = Integer.parseInt(parts[1]);
        boolean isChunked = false;
        long length = -1;
        for (String header = in.line(); !header.isEmpty(); header = in.line()) {
            String lower = header.toLowerCase(Locale.ROOT);
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.put(lower.substring(0, colon).trim(), header.substring(colon + 1).trim());
            }
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                isChunked = true;
            }
            else if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring(header.indexOf(':') + 1).trim());
            }
        }
        this.chunked = isChunked;
        this.remaining = isChunked ? 0 : length;
    }

    /**
     * Sends {@code POST url} with the JSON body and reads the status line and headers.
     */
    static NdjsonStream post(URI url, byte[] body, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            String head = "POST " + url.getRawPath() + " HTTP/1.1\r\n" + "Host: " + url.getHost() + ":" + url.getPort()
                    + "\r\n" + "Content-Type: application/json\r\n" + "Accept: application/x-ndjson\r\n"
                    + "Content-Length: " + body.length + "\r\n" + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new NdjsonStream(socket, new TimedInput(socket.getInputStream()));
        }
        catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    int status() {
        return status;
    }

    /** The value of a response header (the last one of that name), or null. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The next line, or null at the end of the answer. */
    Line next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b = bodyByte();
            if (b < 0) {
                return line.size() == 0 ? null : new Line(line.toString(StandardCharsets.UTF_8), in.arrival, in.reads);
            }
            if (b == '\n') {
                return new Line(line.toString(StandardCharsets.UTF_8), in.arrival, in.reads);
            }
            line.write(b);
        }
    }

    private int bodyByte() throws IOException {
        if (ended) {
            return -1;
        }
        if (chunked && remaining == 0) {
            String size = in.line();
            if (size.isEmpty()) {
                size = in.line(); // the CRLF that closes the previous chunk
            }
            int semicolon = size.indexOf(';');
            remaining = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (remaining == 0) {
                ended = true;
                return -1;
            }
        }
        if (!chunked && remaining == 0) {
            ended = true;
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            ended = true;
            if (chunked || remaining > 0) {
                throw new IOException("connection closed before the end of the answer");
            }
            return -1;
        }
        if (remaining > 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Nanoseconds since the epoch, as precise as the system clock gives them. */
    static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /**
     * A buffered input that remembers when, and by which read, the bytes it hands out
     * arrived.
     */
    private static final class TimedInput {

        private final InputStream raw;

        private final byte[] buffer = new byte[64 * 1024];

        private int position;

        private int limit;

        long arrival;

        long reads;

        TimedInput(InputStream raw) {
            this.raw = raw;
        }

        int read() throws IOException {
            if (position == limit) {
                int n = raw.read(buffer);
                if (n < 0) {
                    return -1;
                }
                arrival = epochNanos(Instant.now());
                reads++;
                position = 0;
                limit = n;
            }
            return buffer[position++] & 0xff;
        }

        /** A header or chunk-size line, without its CRLF. */
        String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = read(); b != '\n'; b = read()) {
                if (b < 0) {
                    throw new IOException("connection closed in the middle of a line: " + line);
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

    }

}
