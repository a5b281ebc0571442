package dev.switchboard.cluster;

import com.hazelcast.config.MapConfig;
import com.hazelcast.query.Predicates;
import dev.switchboard.console.ConsoleHub;
import dev.switchboard.console.ConsoleTargets;
import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The console's targets across the cluster: one grid map, target id → the target as listed (a
 * JSON string), each entry a lease of the node holding the target's connection ({@link GridLeases}).
 * {@code putIfAbsent} keeps an id unique in the whole cluster; a target whose node died or stopped
 * renewing is unlisted, and listed again when its node comes back — the hubs hear of both and tell
 * their operators.
 */
public final class GridConsoleTargets implements ConsoleTargets {

    private static final JsonProvider JSON = JsonProvider.provider();

    static final String TARGETS = "switchboard.console.targets";

    private record Held(long order, ConsoleHub.TargetInfo target) {
        String encode() {
            return JSON.createObjectBuilder().add("order", order).add("id", target.id())
                    .add("label", target.label()).add("agent", target.agent()).add("since", target.since())
                    .build().toString();
        }

        static Held decode(String value) {
            JsonObject o = JSON.createReader(new StringReader(value)).readObject();
            return new Held(o.getJsonNumber("order").longValue(), new ConsoleHub.TargetInfo(
                    o.getString("id"), o.getString("label"), o.getString("agent"), o.getJsonNumber("since").longValue()));
        }
    }

    private final GridLeases leases;
    private final AtomicLong order = new AtomicLong();

    public GridConsoleTargets(Grid grid, Executor pool, ScheduledExecutorService timers) {
        this.leases = new GridLeases(grid, new MapConfig(TARGETS), "console target", pool, timers);
    }

    @Override
    public boolean add(ConsoleHub.TargetInfo target) {
        return leases.claim(target.id(), new Held(order.incrementAndGet(), target).encode());
    }

    @Override
    public void remove(String id) {
        leases.release(id);
    }

    @Override
    public List<ConsoleHub.TargetInfo> list() {
        List<Held> held = new ArrayList<>();
        for (GridLeases.Leased entry : leases.entries(Predicates.alwaysTrue())) {
            held.add(Held.decode(entry.value()));
        }
        held.sort(Comparator.comparingLong((Held h) -> h.target().since()).thenComparingLong(Held::order)
                .thenComparing(h -> h.target().id()));
        List<ConsoleHub.TargetInfo> list = new ArrayList<>(held.size());
        held.forEach(h -> list.add(h.target()));
        return list;
    }

    @Override
    public void onLapse(Consumer<String> lapsed, Consumer<String> restored) {
        leases.onChanges(new GridLeases.Changes() {
            @Override
            public void lapsed(String key, String value) {
                lapsed.accept(key);
            }

            @Override
            public void restored(String key, String value) {
                restored.accept(key);
            }
        });
    }

    @Override
    public void close() {
        leases.close();
    }
}
