package dev.keepwarm.fleet;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import dev.keepwarm.fleet.Routing.Host;
import dev.keepwarm.fleet.Routing.Reason;
import dev.keepwarm.fleet.Routing.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Routing of one request as a table: hosts (health, residency, in-flight, catalogue) and
 * placement in, the preference order with reasons out. llama3.2:1b's rendezvous order is
 * gpu2, gpu0, gpu1 (pinned in {@link RendezvousTest}).
 */
class RoutingTest {

    private static final String LLAMA = "llama3.2:1b";

    private static final ModelSizes HAS_IT = new ModelSizes(Map.of(LLAMA, 1L << 30));

    private static final ModelSizes LACKS_IT = new ModelSizes(Map.of("qwen3:8b", 5L << 30));

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void routesByResidencyThenPlacementThenRendezvous(String label, List<Host> hosts, List<String> placed,
            List<Route> expected) {
        assertThat(Routing.order(LLAMA, hosts, placed)).isEqualTo(expected);
        assertThat(Routing.choose("Llama3.2:1B", hosts, placed)).isEqualTo(expected.stream().findFirst());
    }

    static Stream<Arguments> table() {
        return Stream.of(
                row("resident hosts first, least in-flight first",
                        List.of(resident("gpu0", 3), resident("gpu1", 1), idle("gpu2", 0)), List.of(),
                        List.of(route("gpu1", Reason.RESIDENT), route("gpu0", Reason.RESIDENT),
                                route("gpu2", Reason.HASHED))),
                row("equal in-flight goes by rendezvous order",
                        List.of(resident("gpu1", 2), resident("gpu0", 2), idle("gpu2", 0)), List.of(),
                        List.of(route("gpu0", Reason.RESIDENT), route("gpu1", Reason.RESIDENT),
                                route("gpu2", Reason.HASHED))),
                row("resident before placed even when busier",
                        List.of(resident("gpu1", 7), idle("gpu0", 0), idle("gpu2", 0)), List.of("gpu0"),
                        List.of(route("gpu1", Reason.RESIDENT), route("gpu0", Reason.PLACED),
                                route("gpu2", Reason.HASHED))),
                row("an unhealthy resident host is skipped for the placed host",
                        List.of(down("gpu1", HAS_IT), idle("gpu0", 0), idle("gpu2", 0)), List.of("gpu0", "gpu1"),
                        List.of(route("gpu0", Reason.PLACED), route("gpu2", Reason.HASHED))),
                row("placed hosts least in-flight first", List.of(idle("gpu0", 5), idle("gpu1", 0), idle("gpu2", 0)),
                        List.of("gpu0", "gpu1"),
                        List.of(route("gpu1", Reason.PLACED), route("gpu0", Reason.PLACED),
                                route("gpu2", Reason.HASHED))),
                row("no residency, no placement: rendezvous order, in-flight ignored",
                        List.of(idle("gpu0", 0), idle("gpu1", 0), idle("gpu2", 9)), List.of(),
                        List.of(route("gpu2", Reason.HASHED), route("gpu0", Reason.HASHED),
                                route("gpu1", Reason.HASHED))),
                row("a host lacking the model is never chosen while another has it",
                        List.of(idle("gpu0", 0), idle("gpu1", 0), lacking("gpu2")), List.of("gpu2"),
                        List.of(route("gpu0", Reason.HASHED), route("gpu1", Reason.HASHED))),
                row("resident with a stale catalogue still has the model",
                        List.of(lacking("gpu0"), new Host("gpu1", true, true, 4, LACKS_IT), lacking("gpu2")), List.of(),
                        List.of(route("gpu1", Reason.RESIDENT))),
                row("no catalogue has it: every healthy host by rendezvous",
                        List.of(lacking("gpu0"), lacking("gpu1"), down("gpu2", LACKS_IT)), List.of(),
                        List.of(route("gpu0", Reason.HASHED), route("gpu1", Reason.HASHED))),
                row("only an unhealthy host has it: nothing (the caller answers 404)",
                        List.of(lacking("gpu0"), lacking("gpu1"), down("gpu2", HAS_IT)), List.of(), List.of()),
                row("no healthy host at all", List.of(down("gpu0", HAS_IT)), List.of("gpu0"), List.of()),
                row("no hosts", List.of(), List.of(), List.of()));
    }

    @Test
    void aRetryGoesToTheNextHostNotYetTried() {
        List<Host> hosts = List.of(idle("gpu0", 0), resident("gpu1", 4), idle("gpu2", 0));
        assertThat(Routing.next(LLAMA, hosts, List.of(), Set.of())).contains(route("gpu1", Reason.RESIDENT));
        assertThat(Routing.next(LLAMA, hosts, List.of(), Set.of("gpu1"))).contains(route("gpu2", Reason.HASHED));
        assertThat(Routing.next(LLAMA, hosts, List.of(), Set.of("gpu1", "gpu2")))
            .contains(route("gpu0", Reason.HASHED));
        assertThat(Routing.next(LLAMA, hosts, List.of(), Set.of("gpu0", "gpu1", "gpu2"))).isEmpty();
    }

    @Test
    void reasonsAreTheRoutedMetricsTagValues() {
        assertThat(Stream.of(Reason.values()).map(Reason::tag)).containsExactly("resident", "placed", "hashed");
    }

    @Test
    void hostsMustBeUniqueAndInFlightNotNegative() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> Routing.order(LLAMA, List.of(idle("gpu0", 0), idle("gpu0", 1)), List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new Host("gpu0", true, false, -1, HAS_IT));
    }

    private static Arguments row(String label, List<Host> hosts, List<String> placed, List<Route> expected) {
        return Arguments.of(label, hosts, placed, expected);
    }

    private static Host resident(String name, int inFlight) {
        return new Host(name, true, true, inFlight, HAS_IT);
    }

    /** Healthy, has the model in its catalogue, not running it. */
    private static Host idle(String name, int inFlight) {
        return new Host(name, true, false, inFlight, HAS_IT);
    }

    private static Host lacking(String name) {
        return new Host(name, true, false, 0, LACKS_IT);
    }

    private static Host down(String name, ModelSizes catalogue) {
        return new Host(name, false, catalogue == HAS_IT, 0, catalogue);
    }

    private static Route route(String host, Reason reason) {
        return new Route(host, reason);
    }

}
