package dev.keepwarm.metrics;

import org.springframework.core.io.buffer.DataBuffer;

/**
 * The last bytes of an answer as it streams past: a fixed ring large enough for Ollama's final object, so the
 * metrics read it without holding or slowing the stream.
 */
final class ResponseTail {

    static final int SIZE = 8192;

    private final byte[] ring = new byte[SIZE];
    private long written;

    /** Copies the buffer's readable bytes (at most the last SIZE) without moving its read position. */
    synchronized void append(DataBuffer buffer) {
        int count = buffer.readableByteCount();
        int from = buffer.readPosition() + Math.max(0, count - SIZE);
        for (int i = from; i < buffer.readPosition() + count; i++) {
            ring[(int) (written % SIZE)] = buffer.getByte(i);
            written++;
        }
    }

    /** The final object's numbers. */
    synchronized FinalChunk finalChunk() {
        int length = (int) Math.min(written, SIZE);
        byte[] tail = new byte[length];
        for (int i = 0; i < length; i++) {
            tail[i] = ring[(int) ((written - length + i) % SIZE)];
        }
        return FinalChunk.parse(tail, length);
    }
}
