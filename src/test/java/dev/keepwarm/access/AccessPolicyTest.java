package dev.keepwarm.access;

import java.util.List;
import java.util.Set;

import dev.keepwarm.access.Verdict.Pass;
import dev.keepwarm.access.Verdict.Reason;
import dev.keepwarm.access.Verdict.Refuse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpMethod;

import static dev.keepwarm.access.Keys.ADMIN_KEY;
import static dev.keepwarm.access.Keys.INFERENCE_KEY;
import static dev.keepwarm.access.Keys.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every admin-routes mode x key situation x route kind, with and without keys configured.
 */
class AccessPolicyTest {

    private static final KeyRing KEYS = new KeyRing(
            List.of(new ApiKey("webui", sha256(INFERENCE_KEY), Set.of(Scope.INFERENCE)),
                    new ApiKey("ops", sha256(ADMIN_KEY), Set.of(Scope.ADMIN))));

    private static final KeyRing NO_KEYS = new KeyRing(List.of());

    /**
     * key: none (no header), wrong, inference, admin; outcome: pass:NAME, pass (no key),
     * or STATUS:REASON.
     */
    @ParameterizedTest(name = "keys={0} admin-routes={1} {2} {3} key={4} -> {5}")
    @CsvSource({
            // no keys configured: Ollama's own behaviour unless admin routes are
            // restricted
            "false, allow,       POST, /api/generate, none,      pass",
            "false, allow,       POST, /api/pull,     none,      pass",
            "false, allow,       POST, /api/generate, wrong,     pass",
            "false, deny,        POST, /api/generate, none,      pass",
            "false, deny,        POST, /api/pull,     none,      403:admin_denied",
            "false, admin-scope, POST, /api/generate, none,      pass",
            "false, admin-scope, POST, /api/pull,     none,      403:admin_denied",
            // keys configured: authentication first
            "true,  allow,       POST, /api/generate, none,      401:missing",
            "true,  allow,       POST, /api/generate, wrong,     401:invalid",
            "true,  deny,        POST, /api/pull,     none,      401:missing",
            "true,  admin-scope, POST, /api/pull,     wrong,     401:invalid",
            "true,  allow,       POST, /api/generate, inference, pass:webui",
            "true,  allow,       POST, /api/generate, admin,     pass:ops",
            "true,  allow,       POST, /api/pull,     inference, pass:webui",
            "true,  deny,        POST, /api/generate, inference, pass:webui",
            "true,  deny,        POST, /api/pull,     inference, 403:admin_denied",
            "true,  deny,        POST, /api/pull,     admin,     403:admin_denied",
            "true,  admin-scope, GET,  /api/tags,     inference, pass:webui",
            "true,  admin-scope, POST, /api/pull,     inference, 403:scope",
            "true,  admin-scope, HEAD, /api/blobs/x,  inference, 403:scope",
            "true,  admin-scope, POST, /api/pull,     admin,     pass:ops",
            "true,  admin-scope, DELETE, /api/delete, admin,     pass:ops" })
    void decides(boolean keysConfigured, String adminRoutes, String method, String path, String key, String outcome) {
        AccessPolicy policy = new AccessPolicy(keysConfigured ? KEYS : NO_KEYS,
                AdminRouteAccess.valueOf(adminRoutes.toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
        List<String> authorization = switch (key) {
            case "none" -> List.of();
            case "wrong" -> List.of("Bearer not-a-configured-key");
            case "inference" -> List.of("Bearer " + INFERENCE_KEY);
            default -> List.of("Bearer " + ADMIN_KEY);
        };

        Verdict verdict = policy.check(HttpMethod.valueOf(method), path, authorization);

        assertThat(describe(verdict)).isEqualTo(outcome);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|',
            value = { "bearer " + INFERENCE_KEY + "|pass:webui", "BEARER   " + INFERENCE_KEY + "  |pass:webui",
                    "Bearer|401:missing", "Bearer   |401:missing", "Basic dXNlcjpwYXNz|401:missing",
                    INFERENCE_KEY + "|401:missing", "Token " + INFERENCE_KEY + "|401:missing" })
    void readsOnlyTheBearerScheme(String header, String outcome) {
        AccessPolicy policy = new AccessPolicy(KEYS, AdminRouteAccess.ALLOW);
        assertThat(describe(policy.check(HttpMethod.POST, "/api/chat", List.of(header)))).isEqualTo(outcome);
    }

    @Test
    void twoAuthorizationHeadersAreRefusedEvenWhenOneIsValid() {
        AccessPolicy policy = new AccessPolicy(KEYS, AdminRouteAccess.ALLOW);
        Verdict verdict = policy.check(HttpMethod.POST, "/api/chat",
                List.of("Bearer " + INFERENCE_KEY, "Bearer other"));
        assertThat(describe(verdict)).isEqualTo("401:invalid");
    }

    @Test
    void refusalsCarryOllamasMessageAndTheBearerChallenge() {
        AccessPolicy policy = new AccessPolicy(KEYS, AdminRouteAccess.ADMIN_SCOPE);

        Refuse missing = (Refuse) policy.check(HttpMethod.POST, "/api/chat", List.of());
        assertThat(missing.message()).isEqualTo("keepwarm: API key required (Authorization: Bearer <key>)");
        assertThat(missing.challenge()).isEqualTo("Bearer realm=\"keepwarm\"");

        Refuse invalid = (Refuse) policy.check(HttpMethod.POST, "/api/chat", List.of("Bearer nope"));
        assertThat(invalid.message()).isEqualTo("keepwarm: invalid API key").doesNotContain("nope");
        assertThat(invalid.challenge()).isEqualTo("Bearer realm=\"keepwarm\", error=\"invalid_token\"");

        Refuse scope = (Refuse) policy.check(HttpMethod.POST, "/api/pull", List.of("Bearer " + INFERENCE_KEY));
        assertThat(scope.message()).isEqualTo("keepwarm: POST /api/pull is an admin route and keepwarm.security."
                + "admin-routes=admin-scope needs an API key with scope admin; key 'webui' does not have it");
        assertThat(scope.challenge())
            .isEqualTo("Bearer realm=\"keepwarm\", error=\"insufficient_scope\", scope=\"admin\"");
    }

    @Test
    void adminScopeWithoutKeysSaysWhyItRefusesLikeDeny() {
        Refuse refuse = (Refuse) new AccessPolicy(NO_KEYS, AdminRouteAccess.ADMIN_SCOPE).check(HttpMethod.DELETE,
                "/api/delete", List.of());
        assertThat(refuse.reason()).isEqualTo(Reason.ADMIN_DENIED);
        assertThat(refuse.message()).contains("DELETE /api/delete is an admin route")
            .contains("no keepwarm.security.api-keys are configured");
        assertThat(refuse.challenge()).isNull();
    }

    private static String describe(Verdict verdict) {
        if (verdict instanceof Pass pass) {
            return pass.keyName() == null ? "pass" : "pass:" + pass.keyName();
        }
        Refuse refuse = (Refuse) verdict;
        return refuse.status().value() + ":" + refuse.reason().tag();
    }

}
