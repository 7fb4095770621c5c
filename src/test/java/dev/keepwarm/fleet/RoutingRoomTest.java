package dev.keepwarm.fleet;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing and room: a host where loading the model would evict a pinned copy comes after
 * every host with room, and is still used when no host has room.
 */
class RoutingRoomTest {

    private static final String GEMMA = "gemma2:2b";

    private static final ModelSizes HAS_IT = new ModelSizes(Map.of(GEMMA, 1L));

    @Test
    void aHostWithoutRoomComesAfterTheHostsWithRoom() {
        List<Routing.Route> order = Routing.order(GEMMA,
                List.of(host("gpu0", false, false), host("gpu1", false, true), host("gpu2", false, true)), Set.of());

        assertThat(order).extracting(Routing.Route::host).containsExactly("gpu1", "gpu2", "gpu0");
    }

    @Test
    void withoutRoomAnywhereRendezvousOrderStands() {
        List<Routing.Route> order = Routing.order(GEMMA,
                List.of(host("gpu0", false, false), host("gpu1", false, false), host("gpu2", false, false)), Set.of());

        assertThat(order).extracting(Routing.Route::host).containsExactly("gpu0", "gpu1", "gpu2");
    }

    @Test
    void aResidentCopyIsPreferredThoughItsHostIsFull() {
        List<Routing.Route> order = Routing.order(GEMMA,
                List.of(host("gpu0", true, false), host("gpu1", false, true), host("gpu2", false, true)), Set.of());

        assertThat(order).first().isEqualTo(new Routing.Route("gpu0", Routing.Reason.RESIDENT));
    }

    @Test
    void aPlacedHostWithoutRoomComesAfterAPlacedHostWithRoom() {
        List<Routing.Route> order = Routing.order(GEMMA,
                List.of(host("gpu0", false, false), host("gpu1", false, true), host("gpu2", false, true)),
                Set.of("gpu0", "gpu2"));

        assertThat(order).extracting(Routing.Route::host).containsExactly("gpu2", "gpu0", "gpu1");
    }

    private static Routing.Host host(String name, boolean resident, boolean room) {
        return new Routing.Host(name, true, resident, 0, HAS_IT, room);
    }

    @Test
    void ofTheResidentCopiesThePlacedOnesServeFirstSoADemotedOneCanExpire() {
        ModelSizes catalogue = new ModelSizes(Map.of("llama3.2:1b", 1L));
        List<Routing.Host> hosts = List.of(new Routing.Host("gpu0", true, true, 0, catalogue),
                new Routing.Host("gpu1", true, true, 5, catalogue),
                new Routing.Host("gpu2", true, false, 0, catalogue));

        assertThat(Routing.order("llama3.2:1b", hosts, List.of("gpu1"))).extracting(Routing.Route::host)
            .containsExactly("gpu1", "gpu0", "gpu2");
    }

}
