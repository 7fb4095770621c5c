package dev.keepwarm.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.keepwarm.fake.FakeOllama;
import dev.keepwarm.fleet.Routing;
import dev.keepwarm.proxy.HostRouter;
import dev.keepwarm.support.FakeFleet;
import dev.keepwarm.support.FleetTestBase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

/**
 * On a fleet a request's span names the host that answered and why it was chosen, and
 * shows a failover: the preferred host refuses connections, the next one answers.
 */
@SpringBootTest(webEnvironment = RANDOM_PORT,
        properties = { "keepwarm.warmer.interval=1h", "management.opentelemetry.tracing.export.schedule-delay=20ms" })
@Import(FleetTracingTest.Exporter.class)
class FleetTracingTest extends FleetTestBase {

    private static final FakeFleet FLEET = FakeFleet.start(2, fake -> fake.withModel("mistral"));

    @TestConfiguration(proxyBeanMethods = false)
    static class Exporter {

        @Bean
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }

    }

    @Autowired
    InMemorySpanExporter exported;

    @Autowired
    HostRouter router;

    @Test
    void aFailedOverRequestsSpanShowsTheHostThatAnsweredAndTheFailover() {
        List<Routing.Route> order = router.route("mistral", 0, host -> 0);
        String preferred = order.get(0).host();
        String next = order.get(1).host();
        FakeOllama down = FLEET.host(preferred);
        down.stop();
        try {
            EntityExchangeResult<String> answer = generate("mistral");
            assertThat(answer.getStatus()).isEqualTo(HttpStatus.OK);

            SpanData span = await().atMost(Duration.ofSeconds(5))
                .until(() -> exported.getFinishedSpanItems()
                    .stream()
                    .filter(s -> s.getName().equals("POST /api/generate"))
                    .findFirst(), Optional::isPresent)
                .orElseThrow();
            assertThat(span.getAttributes().get(AttributeKey.stringKey(ProxySpans.HOST))).isEqualTo(next);
            assertThat(span.getAttributes().get(AttributeKey.stringKey(ProxySpans.ROUTED))).isEqualTo("retry");
            assertThat(span.getEvents()).extracting(EventData::getName).contains("failover to " + next);
            assertThat(FLEET.host(next).received("/api/generate")).singleElement()
                .satisfies(sent -> assertThat(sent.headers().get("traceparent").get(0)).contains(span.getSpanId()));
        }
        finally {
            down.restart();
        }
    }

}
