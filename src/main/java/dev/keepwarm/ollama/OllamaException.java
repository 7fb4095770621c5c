package dev.keepwarm.ollama;

/**
 * Ollama answered with an error status; the message is Ollama's own {@code error} text
 * when it sent one.
 */
public final class OllamaException extends RuntimeException {

    private final int status;

    OllamaException(int status, String message) {
        super("Ollama answered " + status + ": " + message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Ollama's answer to a generate/chat ping on an embedding-only model. */
    public boolean unsupportedGenerate() {
        return status == 400 && getMessage().contains("does not support generate");
    }

}
