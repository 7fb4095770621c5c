package dev.keepwarm.access;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/** Ollama's admin routes, however a client spells a path that still reaches them. */
class AdminRoutesTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({ "DELETE, /api/delete,           DELETE /api/delete", "POST,   /api/pull,             POST /api/pull",
            "POST,   /api/push,             POST /api/push", "POST,   /api/create,           POST /api/create",
            "POST,   /api/copy,             POST /api/copy", "POST,   /api/blobs/sha256:abc, POST /api/blobs/:digest",
            "HEAD,   /api/blobs/sha256:abc, HEAD /api/blobs/:digest", "POST,   /api/pull/,            POST /api/pull",
            "POST,   //api//pull,           POST /api/pull", "POST,   /api/%70ull,           POST /api/pull",
            "POST,   /api/tags/../pull,     POST /api/pull", "POST,   /API/Pull,             POST /api/pull" })
    void adminRoutesAreRecognisedInEverySpellingThatReachesThem(String method, String path, String route) {
        assertThat(AdminRoutes.route(HttpMethod.valueOf(method), path)).contains(route);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({ "POST,   /api/generate", "POST,   /api/chat", "GET,    /api/tags", "POST,   /api/show",
            "GET,    /api/ps", "POST,   /v1/chat/completions", "GET,    /api/blobs/sha256:abc", "POST,   /api/blobs/",
            "POST,   /api/delete", "GET,    /api/pull", "POST,   /api/pulls", "POST,   /api/pull/x" })
    void otherRoutesAreNotAdminRoutes(String method, String path) {
        assertThat(AdminRoutes.route(HttpMethod.valueOf(method), path)).isEmpty();
    }

}
