package dev.keepwarm.metrics;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The numbers of Ollama's final object, read from the last bytes of an answer however it
 * was cut into buffers.
 */
class ResponseTailTest {

    private static final String FINAL = "{\"model\":\"m\",\"done\":true,\"total_duration\":912000000,"
            + "\"load_duration\":701234567,\"prompt_eval_count\":9,\"eval_count\":250,\"eval_duration\":5000000000}\n";

    @Test
    void readsTheFinalObjectOfAStreamCutAnywhereAndLongerThanTheRing() {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; stream.length() < 3 * ResponseTail.SIZE; i++) {
            stream.append("{\"model\":\"m\",\"response\":\"token ").append(i).append("\",\"done\":false}\n");
        }
        byte[] bytes = stream.append(FINAL).toString().getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] { 1, 7, 100, 4096, ResponseTail.SIZE - 1, ResponseTail.SIZE + 3, bytes.length }) {
            ResponseTail tail = new ResponseTail();
            for (int from = 0; from < bytes.length; from += chunk) {
                ByteBuf buffer = Unpooled.wrappedBuffer(bytes, from, Math.min(chunk, bytes.length - from));
                int readerIndex = buffer.readerIndex();
                tail.append(buffer);
                assertThat(buffer.readerIndex()).as("the client still gets every byte").isEqualTo(readerIndex);
            }
            assertThat(tail.finalChunk()).as("chunks of %d bytes", chunk)
                .isEqualTo(new FinalChunk(701_234_567L, 250, 5_000_000_000L));
        }
    }

    @Test
    void anAnswerWithoutTheNumbersHasNone() {
        ResponseTail tail = new ResponseTail();
        tail.append(Unpooled.wrappedBuffer("{\"models\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThat(tail.finalChunk()).isEqualTo(FinalChunk.NONE);
        assertThat(new ResponseTail().finalChunk()).isEqualTo(FinalChunk.NONE);
    }

    @Test
    void aKeyQuotedInsideTheGeneratedTextIsNotTheField() {
        String line = "{\"response\":\"say \\\"eval_count\\\":7\",\"done\":true,\"eval_count\" : 12,\"eval_duration\":3}";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertThat(FinalChunk.parse(bytes, bytes.length)).isEqualTo(new FinalChunk(-1, 12, 3));
    }

}
