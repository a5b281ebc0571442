package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import dev.switchboard.console.ConsoleHub;
import dev.switchboard.console.ConsoleTargets;
import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The console's targets across the cluster: one grid map, target id → the target as listed (a
 * JSON string) and the node holding its connection. {@code putIfAbsent} keeps an id unique in the
 * whole cluster. As with the rooms' members ({@link GridRoster}), each entry is a lease its node
 * renews: when a node dies, the oldest surviving member removes its targets as soon as the grid
 * drops it (within {@link Grid#MAX_NO_HEARTBEAT_SECONDS}); the targets of a node that stops
 * renewing without leaving the grid (paused, cut off) expire after {@link #LEASE}, and are listed
 * again when it comes back. Either way the hubs hear of it and tell their operators.
 */
public final class GridConsoleTargets implements ConsoleTargets {

    private static final Logger LOG = Logger.getLogger(GridConsoleTargets.class.getName());
    private static final JsonProvider JSON = JsonProvider.provider();

    static final String TARGETS = "switchboard.console.targets";
    /** How long a target's entry outlives its node's last renewal. */
    static final Duration LEASE = Duration.ofSeconds(12);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(4);

    private record Held(String node, long order, ConsoleHub.TargetInfo target) {
        String encode() {
            return JSON.createObjectBuilder().add("node", node).add("order", order).add("id", target.id())
                    .add("label", target.label()).add("agent", target.agent()).add("since", target.since())
                    .build().toString();
        }

        static Held decode(String value) {
            JsonObject o = JSON.createReader(new StringReader(value)).readObject();
            return new Held(o.getString("node"), o.getJsonNumber("order").longValue(), new ConsoleHub.TargetInfo(
                    o.getString("id"), o.getString("label"), o.getString("agent"), o.getJsonNumber("since").longValue()));
        }
    }

    private final HazelcastInstance grid;
    private final IMap<String, String> targets;
    private final String node;
    /** This node's entries, as it wrote them: what it renews, and removes only if still its own. */
    private final ConcurrentMap<String, String> mine = new ConcurrentHashMap<>();
    private final AtomicLong order = new AtomicLong();
    private final UUID membership;
    private final UUID expiry;
    private final ScheduledFuture<?> renewal;
    private volatile Consumer<String> lapsed = id -> { };
    private volatile Consumer<String> restored = id -> { };

    public GridConsoleTargets(Grid grid, Executor pool, ScheduledExecutorService timers) {
        this.grid = grid.instance();
        this.grid.getConfig().addMapConfig(new MapConfig(TARGETS).setBackupCount(1));
        this.targets = this.grid.getMap(TARGETS);
        this.node = grid.nodeId();
        this.membership = this.grid.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                pool.execute(() -> removeNode(event.getMember().getUuid().toString()));
            }
        });
        // fired on the entry's owner only: one notice per expired target, whichever node holds it
        this.expiry = targets.addLocalEntryListener((EntryExpiredListener<String, String>) event -> {
            if (event.getOldValue() != null) {
                pool.execute(() -> tell(lapsed, event.getKey()));
            }
        });
        this.renewal = timers.scheduleWithFixedDelay(this::renew, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean add(ConsoleHub.TargetInfo target) {
        String value = new Held(node, order.incrementAndGet(), target).encode();
        if (targets.putIfAbsent(target.id(), value, LEASE.toMillis(), TimeUnit.MILLISECONDS) != null) {
            return false;
        }
        mine.put(target.id(), value);
        return true;
    }

    @Override
    public void remove(String id) {
        String value = mine.remove(id);
        if (value != null) {
            try {
                targets.remove(id, value); // only if still this node's
            } catch (HazelcastInstanceNotActiveException e) {
                // stopping: the grid forgets it with this member
            }
        }
    }

    @Override
    public List<ConsoleHub.TargetInfo> list() {
        List<Held> held = new ArrayList<>();
        for (String value : targets.values()) {
            held.add(Held.decode(value));
        }
        held.sort(Comparator.comparingLong((Held h) -> h.target().since()).thenComparing(Held::node)
                .thenComparingLong(Held::order));
        List<ConsoleHub.TargetInfo> list = new ArrayList<>(held.size());
        held.forEach(h -> list.add(h.target()));
        return list;
    }

    @Override
    public void onLapse(Consumer<String> lapsed, Consumer<String> restored) {
        this.lapsed = lapsed;
        this.restored = restored;
    }

    /** A node left the grid: the oldest surviving member removes its targets, once, and the hubs hear it. */
    private void removeNode(String gone) {
        try {
            Member oldest = grid.getCluster().getMembers().iterator().next();
            if (!oldest.localMember()) {
                return;
            }
            int removed = 0;
            for (Map.Entry<String, String> entry : targets.entrySet()) {
                if (Held.decode(entry.getValue()).node().equals(gone) && targets.remove(entry.getKey(), entry.getValue())) {
                    tell(lapsed, entry.getKey());
                    removed++;
                }
            }
            if (removed > 0) {
                LOG.info("Cluster: node " + gone + " left the grid; its " + removed + " console target(s) are detached");
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        }
    }

    private static void tell(Consumer<String> listener, String id) {
        try {
            listener.accept(id);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: could not announce a change of console target " + id, e);
        }
    }

    /** Renews this node's leases; one that ran out meanwhile (this node was paused) is listed again if still free. */
    private void renew() {
        try {
            for (Map.Entry<String, String> entry : mine.entrySet()) {
                if (targets.setTtl(entry.getKey(), LEASE.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                if (targets.putIfAbsent(entry.getKey(), entry.getValue(), LEASE.toMillis(), TimeUnit.MILLISECONDS) == null) {
                    if (!entry.getValue().equals(mine.get(entry.getKey()))) {
                        targets.remove(entry.getKey(), entry.getValue()); // it detached meanwhile
                        continue;
                    }
                    tell(restored, entry.getKey());
                } else {
                    LOG.warning("Cluster: console target " + entry.getKey() + " was taken while this node was unreachable");
                    mine.remove(entry.getKey(), entry.getValue());
                }
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: renewing console targets' leases failed; retrying", e);
        }
    }

    @Override
    public void close() {
        renewal.cancel(false);
        try {
            grid.getCluster().removeMembershipListener(membership);
            targets.removeEntryListener(expiry);
            mine.forEach(targets::remove);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        mine.clear();
    }
}
