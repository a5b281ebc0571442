package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.query.Predicate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Entries each node holds in one grid map for as long as it lives — who is in a room, which console
 * targets are attached, which XMPP resources are bound: {@code putIfAbsent} makes a key unique in
 * the whole cluster. The entries carry no expiry of their own; each node renews one lease per
 * table (an entry with a TTL in {@code NAME.nodes}). When a node dies, the oldest surviving member
 * removes its entries as soon as the grid drops it (within {@link Grid#MAX_NO_HEARTBEAT_SECONDS});
 * when a node's lease expires without it leaving the grid (paused, cut off) the lease's owner does.
 * A node whose entries were removed while it lived puts them back at its next renewal, if still
 * free. Either way the table's owner hears of it. A stored value is {@code NODE\nVALUE}.
 */
final class GridLeases implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GridLeases.class.getName());

    /** The application's pool: where the delayed checks run (never a node's own renewal timer). */
    private final Executor pool;

    /** How long a node's entries outlive its last renewal. */
    static final Duration LEASE = Duration.ofSeconds(12);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(4);

    /** An entry as read: its key, the node holding it, its value. */
    record Leased(String key, String node, String value) {
    }

    /** What happens to entries without their node saying so. */
    interface Changes {
        /** Removed because its node died or stopped renewing. */
        void lapsed(String key, String value);

        /** Put back by its node, which came back before anyone took the key. */
        default void restored(String key, String value) {
        }

        /** A node's entries are all gone (told on the node that removed them): it left the grid, or stopped renewing. */
        default void nodeGone(String node, boolean leftGrid) {
        }
    }

    private final HazelcastInstance grid;
    private final IMap<String, String> map;
    private final IMap<String, String> nodes;
    private final String node;
    /** What the entries are, for the log ("chat member", "console target"). */
    private final String what;
    /** This node's entries, as stored: what it puts back, and releases only if still its own. */
    private final ConcurrentMap<String, String> mine = new ConcurrentHashMap<>();
    private final UUID membership;
    private final UUID expiry;
    private final UUID lifecycle;
    private final ScheduledFuture<?> renewal;
    private volatile Changes changes = (key, value) -> { };

    /** @param config the map's configuration (its name is the map's), added to the running grid's */
    GridLeases(Grid grid, MapConfig config, String what, Executor pool, ScheduledExecutorService timers) {
        this.pool = pool;
        this.grid = grid.instance();
        this.grid.getConfig().addMapConfig(config.setBackupCount(1));
        this.map = this.grid.getMap(config.getName());
        this.nodes = this.grid.getMap(config.getName() + ".nodes");
        this.node = grid.nodeId();
        this.what = what;
        renewLease();
        this.membership = this.grid.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                pool.execute(() -> removeNode(event.getMember().getUuid().toString(), timers, 0));
            }
        });
        // fired on the lease's owner only — this node too, for its own lease: one node removes the
        // entries of a node that stopped renewing (they come back when it renews again)
        this.expiry = nodes.addLocalEntryListener((EntryExpiredListener<String, String>) event ->
                pool.execute(() -> leaseExpired(event.getKey(), event.getOldValue(), timers)));
        // merged back after a split (paused past the heartbeat limit, cut off): a new member id, and
        // the grid's entries are the other side's — see merged()
        this.lifecycle = this.grid.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                pool.execute(this::merged);
            }
        });
        this.renewal = timers.scheduleWithFixedDelay(this::renew, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void onChanges(Changes changes) {
        this.changes = changes;
    }

    /** Takes {@code key} for this node; false when any node holds it. */
    boolean claim(String key, String value) {
        String stored = node + "\n" + value;
        if (map.putIfAbsent(key, stored) != null) {
            return false;
        }
        mine.put(key, stored);
        return true;
    }

    /** A new value for one of this node's entries (put back if it was removed meanwhile and is still free). */
    void update(String key, String value) {
        String was = mine.get(key);
        if (was == null) {
            return;
        }
        String stored = node + "\n" + value;
        if (map.replace(key, was, stored) || map.putIfAbsent(key, stored) == null) {
            mine.put(key, stored);
        } else {
            mine.remove(key, was);
            LOG.warning("Cluster: " + what + " " + key + " was taken while this node was unreachable");
        }
    }

    /** Gives up one of this node's entries (only if still its own). */
    void release(String key) {
        String stored = mine.remove(key);
        if (stored != null) {
            try {
                map.remove(key, stored);
            } catch (HazelcastInstanceNotActiveException e) {
                // stopping: the others remove it when this member is gone
            }
        }
    }

    /** This node's value of the key, or null. */
    String mine(String key) {
        String stored = mine.get(key);
        return stored == null ? null : valueOf(stored);
    }

    /** Any node's entry for the key, or null. */
    Leased get(String key) {
        String stored = map.get(key);
        return stored == null ? null : leased(key, stored);
    }

    /** Every entry the predicate (a Hazelcast built-in one) takes, whichever node holds it. */
    List<Leased> entries(Predicate<String, String> predicate) {
        List<Leased> entries = new ArrayList<>();
        for (Map.Entry<String, String> entry : map.entrySet(predicate)) {
            entries.add(leased(entry.getKey(), entry.getValue()));
        }
        return entries;
    }

    /** This node's id in the grid, as entries name it. */
    String node() {
        return node;
    }

    private static Leased leased(String key, String stored) {
        int newline = stored.indexOf('\n');
        return new Leased(key, stored.substring(0, newline), stored.substring(newline + 1));
    }

    /**
     * This node's lease: its value is the grid member this node is now. A node keeps its id (the
     * one its entries carry) for its life, but Hazelcast gives a member that merged back after a
     * split a new member id; the lease says which member to watch.
     */
    private void renewLease() {
        nodes.put(node, grid.getCluster().getLocalMember().getUuid().toString(), LEASE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A lease lapsed. If its node is still a grid member its renewal may only have been held up
     * (a partition's owner paused, and the grid had not dropped it yet): one more renewal period
     * before its entries go.
     */
    private void leaseExpired(String gone, String member, ScheduledExecutorService timers) {
        boolean stillMember = false;
        try {
            for (Member m : grid.getCluster().getMembers()) {
                stillMember |= m.getUuid().toString().equals(member == null ? gone : member);
            }
        } catch (HazelcastInstanceNotActiveException e) {
            return;
        }
        if (!stillMember) {
            removeEntriesOf(gone, false);
            return;
        }
        // not on the timers, which may be this very node's stuck ones (whose renewals lapsed)
        java.util.concurrent.CompletableFuture.delayedExecutor(RENEW_EVERY.toMillis() + 1_000, TimeUnit.MILLISECONDS,
                pool).execute(() -> {
            try {
                if (!nodes.containsKey(gone)) {
                    removeEntriesOf(gone, false);
                }
            } catch (HazelcastInstanceNotActiveException e) {
                // stopping
            }
        });
    }

    /** A member left the grid: the oldest surviving member removes the entries of the node it was, once, and tells. */
    private void removeNode(String member, ScheduledExecutorService timers, int attempt) {
        try {
            Member oldest = grid.getCluster().getMembers().iterator().next();
            if (oldest.localMember()) {
                String gone = member;
                for (Map.Entry<String, String> lease : nodes.entrySet()) {
                    if (member.equals(lease.getValue())) {
                        gone = lease.getKey(); // a node that merged back once is another member now
                    }
                }
                nodes.delete(gone);
                removeEntriesOf(gone, true);
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        } catch (RuntimeException e) {
            // a scan that reached the member just dropped (its partitions not yet moved): again, shortly
            if (attempt < 10) {
                LOG.info(() -> "Cluster: removing the " + what + "s of member " + member + " failed (" + e + "); retrying");
                timers.schedule(() -> removeNode(member, timers, attempt + 1), 1, TimeUnit.SECONDS);
            } else {
                LOG.log(Level.WARNING, "Cluster: could not remove the " + what + "s of member " + member, e);
            }
        }
    }

    private void removeEntriesOf(String gone, boolean leftGrid) {
        try {
            int removed = 0;
            for (Map.Entry<String, String> entry : map.entrySet()) {
                if (entry.getValue().startsWith(gone + "\n") && map.remove(entry.getKey(), entry.getValue())) {
                    tell(() -> changes.lapsed(entry.getKey(), leased(entry.getKey(), entry.getValue()).value()));
                    removed++;
                }
            }
            if (removed > 0) {
                LOG.info("Cluster: node " + gone + (leftGrid ? " left the grid" : " stopped renewing its lease") + "; its "
                        + removed + " " + what + "(s) are gone");
            }
            tell(() -> changes.nodeGone(gone, leftGrid));
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        }
    }

    private void tell(Runnable change) {
        try {
            change.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: could not announce a change of " + what + "s", e);
        }
    }

    /** Renews this node's lease; its entries removed meanwhile (it was unreachable) are put back if still free. */
    private void renew() {
        try {
            renewLease();
            // reading a lapsed lease expires it now, not at the grid's next expiry sweep
            java.util.Set<String> others = new java.util.HashSet<>();
            nodes.keySet().forEach(others::add);
            others.remove(node);
            nodes.getAll(others);
            Map<String, String> held = map.getAll(mine.keySet());
            for (Map.Entry<String, String> entry : mine.entrySet()) {
                String key = entry.getKey();
                String stored = entry.getValue();
                String now = held.get(key);
                if (now == null && map.putIfAbsent(key, stored) == null) {
                    if (stored.equals(mine.get(key))) {
                        tell(() -> changes.restored(key, valueOf(stored)));
                    } else {
                        map.remove(key, stored); // released or changed meanwhile
                    }
                } else if (now != null && !now.startsWith(node + "\n")) {
                    LOG.warning("Cluster: " + what + " " + key + " was taken while this node was unreachable");
                    mine.remove(key, stored);
                }
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: renewing the " + what + " lease failed; retrying", e);
        }
    }

    /**
     * This node merged back into the grid after a split. Each side had dropped the other's entries
     * and told its own clients; the grid now holds the other side's copy (with what this side had
     * added where free). This node renews its lease at once, puts back its entries still free, and
     * announces every entry again — its own to everyone, the others' for its own clients, who
     * heard they were gone (a repeat for the rest).
     */
    private void merged() {
        try {
            renewLease();
            for (Map.Entry<String, String> entry : mine.entrySet()) {
                String now = map.get(entry.getKey());
                if (now == null) {
                    map.putIfAbsent(entry.getKey(), entry.getValue());
                } else if (!now.equals(entry.getValue())) {
                    LOG.warning("Cluster: " + what + " " + entry.getKey() + " was taken while this node was cut off");
                    mine.remove(entry.getKey(), entry.getValue());
                }
            }
            int told = 0;
            for (Map.Entry<String, String> entry : map.entrySet()) {
                tell(() -> changes.restored(entry.getKey(), valueOf(entry.getValue())));
                told++;
            }
            LOG.info("Cluster: merged back into the grid as member " + grid.getCluster().getLocalMember().getUuid()
                    + "; announced its " + told + " " + what + "(s) again");
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: re-announcing the " + what + "s after a merge failed", e);
        }
    }

    private static String valueOf(String stored) {
        return stored.substring(stored.indexOf('\n') + 1);
    }

    @Override
    public void close() {
        renewal.cancel(false);
        try {
            grid.getCluster().removeMembershipListener(membership);
            grid.getLifecycleService().removeLifecycleListener(lifecycle);
            nodes.removeEntryListener(expiry);
            mine.forEach(map::remove);
            nodes.delete(node);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        mine.clear();
    }
}
