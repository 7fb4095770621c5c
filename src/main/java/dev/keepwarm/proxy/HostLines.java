package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * One host's side of a {@link FanOutStream}: cuts the host's body into lines as its
 * chunks come, holding only the current partial line (bounded), and sorts each line.
 * Progress lines go on with {@code "host":"<name>"} spliced in as the first member, every
 * other byte as the host sent it; the host's own {@code {"status":"success"}} and
 * {@code {"error":..}} lines are held back for the merged stream's one last line. A chunk
 * may end anywhere, inside a line or a UTF-8 character: only a newline byte ends a line,
 * and no multi-byte UTF-8 character contains one. Not thread-safe: one instance per
 * subscription, fed in signal order.
 */
final class HostLines {

    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();

    private final boolean ok;

    private final int status;

    private final int maxLine;

    private final byte[] hostMember;

    private byte[] partial = new byte[0];

    private int partialLength;

    private @Nullable String error;

    private @Nullable String broken;

    private boolean success;

    HostLines(String host, int status, int maxLine) {
        this.ok = status == 200;
        this.status = status;
        this.maxLine = maxLine;
        this.hostMember = ("\"host\":\"" + new String(QUOTE.quoteAsUTF8(host), StandardCharsets.UTF_8) + "\"")
            .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The lines this chunk completes, each ending in a newline, ready for the client.
     * Releases the chunk and never throws, so no operator is left holding it.
     */
    List<byte[]> feed(ByteBuf chunk) {
        try {
            List<byte[]> lines = new ArrayList<>(2);
            int index = chunk.readerIndex();
            int end = chunk.writerIndex();
            while (index < end && broken == null) {
                int newline = chunk.indexOf(index, end, (byte) '\n');
                int stop = (newline < 0) ? end : newline;
                if (newline >= 0 && partialLength == 0 && stop - index <= maxLine) {
                    byte[] line = new byte[stop - index];
                    chunk.getBytes(index, line);
                    sort(line, lines);
                }
                else {
                    append(chunk, index, stop - index);
                    if (newline >= 0 && broken == null) {
                        byte[] line = Arrays.copyOf(partial, partialLength);
                        partialLength = 0;
                        sort(line, lines);
                    }
                }
                index = (newline < 0) ? end : newline + 1;
            }
            return lines;
        }
        catch (RuntimeException unexpected) {
            // a bug here must not reach map's error path, which may hand the chunk to a
            // discard hook downstream after this finally released it
            broken = "unreadable answer: " + unexpected;
            return List.of();
        }
        finally {
            chunk.release();
        }
    }

    /**
     * A line past the limit, or a broken connection: the host has failed, and nothing it
     * sends from now on counts.
     */
    boolean broken() {
        return broken != null;
    }

    /** The body failed (a connection error): the partial line, cut short, is dropped. */
    void cut(Throwable failure) {
        if (broken == null) {
            String message = failure.getMessage();
            broken = "connection error: " + ((message != null) ? message : failure.getClass().getSimpleName());
        }
        partial = new byte[0];
        partialLength = 0;
    }

    /**
     * The body completed: a last line without its newline still counts.
     */
    List<byte[]> finish() {
        List<byte[]> lines = new ArrayList<>(1);
        if (broken == null && partialLength > 0) {
            sort(Arrays.copyOf(partial, partialLength), lines);
        }
        partial = new byte[0];
        partialLength = 0;
        return lines;
    }

    /**
     * Why this host failed, once its body ended; null when it succeeded (HTTP 200, its
     * last line {"status":"success"}, no error line).
     */
    @Nullable String failure() {
        if (broken != null) {
            return broken;
        }
        if (!ok) {
            return "HTTP " + status + ((error != null) ? ": " + error : "");
        }
        if (error != null) {
            return error;
        }
        return success ? null : "stream ended without success";
    }

    private void append(ByteBuf chunk, int index, int length) {
        if (partialLength + length > maxLine) {
            broken = "line longer than " + maxLine + " bytes";
            partial = new byte[0];
            partialLength = 0;
            return;
        }
        if (partialLength + length > partial.length) {
            int grown = Math.max(partialLength + length, Math.min(maxLine, Math.max(256, partial.length * 2)));
            partial = Arrays.copyOf(partial, grown);
        }
        chunk.getBytes(index, partial, partialLength, length);
        partialLength += length;
    }

    private void sort(byte[] raw, List<byte[]> out) {
        int length = raw.length;
        if (length > 0 && raw[length - 1] == '\r') {
            length--;
        }
        int brace = 0;
        while (brace < length && whitespace(raw[brace])) {
            brace++;
        }
        if (brace == length) {
            return; // a blank line says nothing
        }
        ProgressLine line = ProgressLine.parse(raw, brace, length);
        if (!ok) {
            // the body of an error status is Ollama's {"error":..}: its message, never
            // progress
            if (line != null && line.error() != null && error == null) {
                error = line.error();
            }
            return;
        }
        if (line == null) {
            success = false;
            out.add(wrap(raw, length));
        }
        else if (line.error() != null) {
            if (error == null) {
                error = line.error();
            }
        }
        else if ("success".equals(line.status())) {
            success = true;
        }
        else {
            success = false;
            out.add(splice(raw, brace, length, line.empty()));
        }
    }

    /** {@code {"host":"gpu1",<the host's members as sent>}} and a newline. */
    private byte[] splice(byte[] raw, int brace, int length, boolean empty) {
        int comma = empty ? 0 : 1;
        byte[] spliced = new byte[length + hostMember.length + comma + 1];
        System.arraycopy(raw, 0, spliced, 0, brace + 1);
        System.arraycopy(hostMember, 0, spliced, brace + 1, hostMember.length);
        if (!empty) {
            spliced[brace + 1 + hostMember.length] = ',';
        }
        System.arraycopy(raw, brace + 1, spliced, brace + 1 + hostMember.length + comma, length - brace - 1);
        spliced[spliced.length - 1] = '\n';
        return spliced;
    }

    /**
     * A line that is not a JSON object cannot take a host field: it goes on as a string
     * member, so the client's parser still reads one object per line.
     */
    private byte[] wrap(byte[] raw, int length) {
        byte[] text = QUOTE.quoteAsUTF8(new String(raw, 0, length, StandardCharsets.UTF_8));
        byte[] line = ("{" + new String(hostMember, StandardCharsets.UTF_8) + ",\"line\":\""
                + new String(text, StandardCharsets.UTF_8) + "\"}\n")
            .getBytes(StandardCharsets.UTF_8);
        return line;
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

}
