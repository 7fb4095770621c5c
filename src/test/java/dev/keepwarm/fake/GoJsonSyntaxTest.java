package dev.keepwarm.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoJsonSyntaxTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`',
            value = { "not json|invalid character 'o' in literal null (expecting 'u')",
                    "abc|invalid character 'a' looking for beginning of value",
                    "{\"model\": x}|invalid character 'x' looking for beginning of value",
                    "{\"model\":\"a\",}|invalid character '}' looking for beginning of object key string",
                    "{'a':1}|invalid character '\\'' looking for beginning of object key string",
                    "{\"model\":\"a\" \"b\":1}|invalid character '\"' after object key:value pair",
                    "{\"a\" 1}|invalid character '1' after object key",
                    "[1 2]|invalid character '2' after array element",
                    "{\"a\":01}|invalid character '1' after object key:value pair",
                    "{\"a\":1.}|invalid character '}' after decimal point in numeric literal",
                    "{\"a\":-x}|invalid character 'x' in numeric literal",
                    "{\"a\":1e}|invalid character '}' in exponent of numeric literal",
                    "{\"a\":\"\\q\"}|invalid character 'q' in string escape code",
                    "{\"a\":\"\\u12x4\"}|invalid character 'x' in \\u hexadecimal character escape",
                    "{\"a\":tru}|invalid character '}' in literal true (expecting 'e')", "{\"model\":|unexpected EOF",
                    "{\"model\":\"a|unexpected EOF", "[|unexpected EOF", })
    void reportsGosMessage(String body, String message) {
        assertThat(GoJsonSyntax.check(body.getBytes(StandardCharsets.UTF_8))).contains(message);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "{}", "{\"a\":[1,-2.5e+3,true,false,null,{\"b\":\"\\u00e9\\n\"}]}", "{\"a\":1} junk", "5x",
            "  [ ]  " })
    void acceptsWhatGosDecoderAccepts(String body) {
        assertThat(GoJsonSyntax.check(body.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @ParameterizedTest(name = "byte {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`',
            value = { "10|'\\n'", "1|'\\x01'", "195|'Ã'", "160|'\\u00a0'", "92|'\\\\'" })
    void quotesBytesLikeGo(int b, String quoted) {
        assertThat(GoJsonSyntax.quoteChar(b)).isEqualTo(quoted);
    }

}
