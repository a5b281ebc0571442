package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
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
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Entries each node holds in one grid map for as long as it lives — who is in a room, which console
 * targets are attached: {@code putIfAbsent} makes a key unique in the whole cluster, and each entry
 * is a lease its node renews. When a node dies, the oldest surviving member removes its entries as
 * soon as the grid drops it (within {@link Grid#MAX_NO_HEARTBEAT_SECONDS}); the entries of a node
 * that stops renewing without leaving the grid (paused, cut off) expire after {@link #LEASE}, and
 * come back when it renews again, if still free. Either way the owner of the entries hears of it.
 * A stored value is {@code NODE\nVALUE}: whose it is travels with it.
 */
final class GridLeases implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GridLeases.class.getName());

    /** How long an entry outlives its node's last renewal. */
    static final Duration LEASE = Duration.ofSeconds(12);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(4);

    /** What happens to entries without their node saying so. */
    interface Changes {
        /** Removed because its node died, or expired because its node stopped renewing it. */
        void lapsed(String key, String value);

        /** Put back by its node, which came back before anyone took the key. */
        void restored(String key, String value);
    }

    private final HazelcastInstance grid;
    private final IMap<String, String> map;
    private final String node;
    /** What the entries are, for the log ("chat member", "console target"). */
    private final String what;
    /** This node's entries, as stored: what it renews, and releases only if still its own. */
    private final ConcurrentMap<String, String> mine = new ConcurrentHashMap<>();
    private final UUID membership;
    private final UUID expiry;
    private final ScheduledFuture<?> renewal;
    private volatile Changes changes = new Changes() {
        @Override
        public void lapsed(String key, String value) {
        }

        @Override
        public void restored(String key, String value) {
        }
    };

    /** @param config the map's configuration (its name is the map's), added to the running grid's */
    GridLeases(Grid grid, MapConfig config, String what, Executor pool, ScheduledExecutorService timers) {
        this.grid = grid.instance();
        this.grid.getConfig().addMapConfig(config.setBackupCount(1));
        this.map = this.grid.getMap(config.getName());
        this.node = grid.nodeId();
        this.what = what;
        this.membership = this.grid.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                pool.execute(() -> removeNode(event.getMember().getUuid().toString()));
            }
        });
        // fired on the entry's owner only: one notice per expired entry, whichever node holds it
        this.expiry = map.addLocalEntryListener((EntryExpiredListener<String, String>) event -> {
            String stored = event.getOldValue();
            if (stored != null) {
                pool.execute(() -> tell(event.getKey(), stored, false));
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
        if (map.putIfAbsent(key, stored, LEASE.toMillis(), TimeUnit.MILLISECONDS) != null) {
            return false;
        }
        mine.put(key, stored);
        return true;
    }

    /** A new value for one of this node's entries. */
    void update(String key, String value) {
        String was = mine.get(key);
        String stored = node + "\n" + value;
        if (was != null && map.replace(key, was, stored)) {
            map.setTtl(key, LEASE.toMillis(), TimeUnit.MILLISECONDS);
            mine.put(key, stored);
        }
    }

    /** Gives up one of this node's entries (only if still its own: a lapsed lease may be someone else's now). */
    void release(String key) {
        String stored = mine.remove(key);
        if (stored != null) {
            try {
                map.remove(key, stored);
            } catch (HazelcastInstanceNotActiveException e) {
                // stopping: the grid forgets it with this member
            }
        }
    }

    /** This node's value of the key, or null. */
    String mine(String key) {
        String stored = mine.get(key);
        return stored == null ? null : valueOf(stored);
    }

    /** Any node's value of the key, or null. */
    String get(String key) {
        String stored = map.get(key);
        return stored == null ? null : valueOf(stored);
    }

    /** Every entry the predicate (a Hazelcast built-in one) takes, key → value, whichever node holds it. */
    List<Map.Entry<String, String>> entries(Predicate<String, String> predicate) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (Map.Entry<String, String> entry : map.entrySet(predicate)) {
            entries.add(Map.entry(entry.getKey(), valueOf(entry.getValue())));
        }
        return entries;
    }

    /** The node that holds a stored entry. */
    static String nodeOf(String stored) {
        return stored.substring(0, stored.indexOf('\n'));
    }

    private static String valueOf(String stored) {
        return stored.substring(stored.indexOf('\n') + 1);
    }

    /** A node left the grid: the oldest surviving member removes its entries, once, and tells. */
    private void removeNode(String gone) {
        try {
            Member oldest = grid.getCluster().getMembers().iterator().next();
            if (!oldest.localMember()) {
                return;
            }
            int removed = 0;
            for (Map.Entry<String, String> entry : map.entrySet()) {
                if (nodeOf(entry.getValue()).equals(gone) && map.remove(entry.getKey(), entry.getValue())) {
                    tell(entry.getKey(), entry.getValue(), false);
                    removed++;
                }
            }
            if (removed > 0) {
                LOG.info("Cluster: node " + gone + " left the grid; its " + removed + " " + what + "(s) are gone");
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        }
    }

    private void tell(String key, String stored, boolean restored) {
        try {
            if (restored) {
                changes.restored(key, valueOf(stored));
            } else {
                changes.lapsed(key, valueOf(stored));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: could not announce a change of " + what + " " + key, e);
        }
    }

    /** Renews this node's leases; one that ran out meanwhile is put back if still free, and told. */
    private void renew() {
        try {
            for (Map.Entry<String, String> entry : mine.entrySet()) {
                String key = entry.getKey();
                String stored = entry.getValue();
                if (map.setTtl(key, LEASE.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                // not renewed: gone (this node was unreachable past its lease), or a migration was under way
                String current = map.get(key);
                if (stored.equals(current)) {
                    map.set(key, stored, LEASE.toMillis(), TimeUnit.MILLISECONDS); // still ours
                } else if (current == null
                        && map.putIfAbsent(key, stored, LEASE.toMillis(), TimeUnit.MILLISECONDS) == null) {
                    if (!stored.equals(mine.get(key))) {
                        map.remove(key, stored); // released meanwhile
                    } else {
                        tell(key, stored, true);
                    }
                } else {
                    LOG.warning("Cluster: " + what + " " + key + " was taken while this node was unreachable");
                    mine.remove(key, stored);
                }
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: renewing " + what + " leases failed; retrying", e);
        }
    }

    @Override
    public void close() {
        renewal.cancel(false);
        try {
            grid.getCluster().removeMembershipListener(membership);
            map.removeEntryListener(expiry);
            mine.forEach(map::remove);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        mine.clear();
    }
}
