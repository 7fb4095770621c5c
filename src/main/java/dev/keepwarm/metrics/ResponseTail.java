package dev.keepwarm.metrics;

import io.netty.buffer.ByteBuf;

/**
 * The last bytes of an answer as it streams past: a fixed ring large enough for Ollama's
 * final object, so the metrics read it without holding or slowing the stream.
 */
final class ResponseTail {

    static final int SIZE = 8192;

    private final byte[] ring = new byte[SIZE];

    private long written;

    /**
     * Copies the buffer's readable bytes (at most the last SIZE) without moving its
     * reader index.
     */
    synchronized void append(ByteBuf buffer) {
        int count = Math.min(buffer.readableBytes(), SIZE);
        int from = buffer.writerIndex() - count;
        int at = (int) (written % SIZE);
        int first = Math.min(count, SIZE - at);
        buffer.getBytes(from, ring, at, first);
        buffer.getBytes(from + first, ring, 0, count - first);
        written += count;
    }

    /** The final object's numbers. */
    synchronized FinalChunk finalChunk() {
        int length = (int) Math.min(written, SIZE);
        byte[] tail = new byte[length];
        int start = (int) ((written - length) % SIZE);
        int first = Math.min(length, SIZE - start);
        System.arraycopy(ring, start, tail, 0, first);
        System.arraycopy(ring, 0, tail, first, length - first);
        return FinalChunk.parse(tail, length);
    }

}
