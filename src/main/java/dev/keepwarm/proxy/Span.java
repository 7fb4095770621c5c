package dev.keepwarm.proxy;

/**
 * Where a top-level member of a request body lies: from the opening quote of its name to
 * the end of its value, without the whitespace and comma that separate it from the next
 * member.
 *
 * @param name the member's name as the client spelt it
 * @param start offset of the name's opening quote
 * @param end offset just past the value
 */
record Span(String name, int start, int end) {

    /**
     * The member that starts at {@code start} and is followed by the next member (or the
     * object's end) at {@code next}.
     */
    static Span between(byte[] body, String name, int start, int next) {
        int end = next;
        while (end > start && whitespace(body[end - 1])) {
            end--;
        }
        if (end > start && body[end - 1] == ',') {
            end--;
        }
        while (end > start && whitespace(body[end - 1])) {
            end--;
        }
        return new Span(name, start, end);
    }

    int length() {
        return end - start;
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
