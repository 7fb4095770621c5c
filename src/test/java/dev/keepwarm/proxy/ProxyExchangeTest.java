package dev.keepwarm.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What goes to Ollama as the request target: the client's raw path and query, also from
 * an absolute-form target.
 */
class ProxyExchangeTest {

    @Test
    void originFormTargetsGoAsTheyCame() {
        assertThat(ProxyExchange.originForm("/api/tags")).isEqualTo("/api/tags");
        assertThat(ProxyExchange.originForm("/api/blobs/sha256:ab%20c?x=1&y=%2F"))
            .isEqualTo("/api/blobs/sha256:ab%20c?x=1&y=%2F");
    }

    @Test
    void absoluteFormTargetsLoseSchemeAndAuthority() {
        assertThat(ProxyExchange.originForm("http://keepwarm:8080/api/ps")).isEqualTo("/api/ps");
        assertThat(ProxyExchange.originForm("http://keepwarm:8080/api/tags?x=1")).isEqualTo("/api/tags?x=1");
        assertThat(ProxyExchange.originForm("http://keepwarm:8080")).isEqualTo("/");
        assertThat(ProxyExchange.originForm("http://keepwarm:8080?x=/y")).isEqualTo("/?x=/y");
        assertThat(ProxyExchange.originForm("*")).isEqualTo("*");
    }

}
