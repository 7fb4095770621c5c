package dev.keepwarm.fake;

import java.util.Optional;

/**
 * The syntax errors of Go's encoding/json Decoder, with its exact messages
 * ({@code invalid character 'x' looking
 * for beginning of value}, {@code unexpected EOF}). Like the Decoder it reads one value
 * and ignores what follows.
 */
final class GoJsonSyntax {

    /** Thrown inside the walk; carries Go's message. */
    private static final class SyntaxError extends RuntimeException {

        SyntaxError(String message) {
            super(message, null, false, false);
        }

    }

    private final byte[] s;

    private int i;

    private GoJsonSyntax(byte[] s) {
        this.s = s;
    }

    /**
     * Go's error for the first JSON value of {@code body}, or empty when it is
     * well-formed.
     */
    static Optional<String> check(byte[] body) {
        try {
            new GoJsonSyntax(body).value();
            return Optional.empty();
        }
        catch (SyntaxError e) {
            return Optional.of(e.getMessage());
        }
        catch (StackOverflowError tooDeep) {
            // Go refuses nesting deeper than 10000 with this message; this recursive walk
            // runs out of stack a little
            // earlier on a small thread stack, and answers the same way rather than
            // killing the connection
            return Optional.of("exceeded max depth");
        }
    }

    private void value() {
        int c = next();
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || isDigit(c)) {
                    number();
                }
                else {
                    throw invalid(c, "looking for beginning of value");
                }
            }
        }
    }

    private void object() {
        i++;
        if (next() == '}') {
            i++;
            return;
        }
        while (true) {
            int c = next();
            if (c != '"') {
                throw invalid(c, "looking for beginning of object key string");
            }
            string();
            c = next();
            if (c != ':') {
                throw invalid(c, "after object key");
            }
            i++;
            value();
            c = next();
            i++;
            if (c == '}') {
                return;
            }
            if (c != ',') {
                throw invalid(c, "after object key:value pair");
            }
        }
    }

    private void array() {
        i++;
        if (next() == ']') {
            i++;
            return;
        }
        while (true) {
            value();
            int c = next();
            i++;
            if (c == ']') {
                return;
            }
            if (c != ',') {
                throw invalid(c, "after array element");
            }
        }
    }

    private void string() {
        i++;
        while (true) {
            int c = peek();
            i++;
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                escape();
            }
            else if (c < 0x20) {
                throw invalid(c, "in string literal");
            }
        }
    }

    private void escape() {
        int c = peek();
        i++;
        if (c == 'u') {
            for (int k = 0; k < 4; k++) {
                int h = peek();
                if (Character.digit(h, 16) < 0) {
                    throw invalid(h, "in \\u hexadecimal character escape");
                }
                i++;
            }
        }
        else if ("\"\\/bfnrt".indexOf(c) < 0) {
            throw invalid(c, "in string escape code");
        }
    }

    private void number() {
        if (s[i] == '-') {
            i++;
            int c = peek();
            if (!isDigit(c)) {
                throw invalid(c, "in numeric literal");
            }
        }
        if (s[i] == '0') {
            i++;
        }
        else {
            digits();
        }
        if (i < s.length && s[i] == '.') {
            i++;
            int c = peek();
            if (!isDigit(c)) {
                throw invalid(c, "after decimal point in numeric literal");
            }
            digits();
        }
        if (i < s.length && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            int c = peek();
            if (!isDigit(c)) {
                throw invalid(c, "in exponent of numeric literal");
            }
            digits();
        }
    }

    private void digits() {
        while (i < s.length && isDigit(s[i])) {
            i++;
        }
    }

    private void literal(String word) {
        i++;
        for (int k = 1; k < word.length(); k++) {
            int c = peek();
            if (c != word.charAt(k)) {
                throw invalid(c, "in literal " + word + " (expecting '" + word.charAt(k) + "')");
            }
            i++;
        }
    }

    /** The next byte after white space, which must exist. */
    private int next() {
        while (i < s.length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            i++;
        }
        return peek();
    }

    private int peek() {
        if (i >= s.length) {
            throw new SyntaxError("unexpected EOF");
        }
        return s[i] & 0xff;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static SyntaxError invalid(int c, String context) {
        return new SyntaxError("invalid character " + quoteChar(c) + " " + context);
    }

    /**
     * Go's quoteChar: the byte as a rune, quoted like strconv.Quote but in single quotes.
     */
    static String quoteChar(int c) {
        if (c == '\'') {
            return "'\\''";
        }
        if (c == '"') {
            return "'\"'";
        }
        String quoted = switch (c) {
            case 0x07 -> "\\a";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case 0x0b -> "\\v";
            case '\\' -> "\\\\";
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    yield String.format("\\x%02x", c);
                }
                if ((c >= 0x80 && c <= 0xa0) || c == 0xad) {
                    yield String.format("\\u%04x", c);
                }
                yield String.valueOf((char) c);
            }
        };
        return "'" + quoted + "'";
    }

}
