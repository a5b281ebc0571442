package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.query.Predicates;
import dev.switchboard.chat.ChatEvent;
import dev.switchboard.chat.Presence;
import dev.switchboard.chat.Roster;

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
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The rooms' members across the cluster: one grid map, {@code NICKKEY@ROOM} → the member and the
 * node holding its connection. {@code putIfAbsent} makes a nick unique cluster-wide; the key's
 * {@code @ROOM} puts a room's members on one partition, so a welcome's list is one partition's
 * read. Each entry is a lease its node renews: when a node dies, the oldest surviving member
 * removes its entries as soon as the grid drops it (within {@link Grid#MAX_NO_HEARTBEAT_SECONDS});
 * entries of a node that stops renewing without leaving the grid (paused, cut off) expire after
 * {@link #LEASE}. Either way the rooms hear those members are {@code unavailable}.
 */
public final class GridRoster implements Roster, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GridRoster.class.getName());

    static final String MEMBERS = "switchboard.chat.members";
    /** How long a member's entry outlives its node's last renewal. */
    static final Duration LEASE = Duration.ofSeconds(12);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(4);

    private record Held(String node, long joined, long order, ChatEvent.Member member) {
        String encode() {
            return node + "\n" + joined + "\n" + order + "\n" + member.nick() + "\n" + member.presence().name() + "\n"
                    + (member.status() == null ? "" : member.status());
        }

        static Held decode(String value) {
            String[] parts = value.split("\n", 6);
            return new Held(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                    new ChatEvent.Member(parts[3], Presence.valueOf(parts[4]), parts[5]));
        }
    }

    private final HazelcastInstance grid;
    private final IMap<String, String> members;
    private final String node;
    private final Executor pool;
    /** This node's entries, as it wrote them: what it renews, and releases only if still its own. */
    private final ConcurrentMap<String, String> mine = new ConcurrentHashMap<>();
    private final AtomicLong order = new AtomicLong();
    private final UUID membership;
    private final UUID expiry;
    private final ScheduledFuture<?> renewal;
    private volatile BiConsumer<String, ChatEvent.Member> departed = (room, member) -> { };

    public GridRoster(Grid grid, Executor pool, ScheduledExecutorService timers) {
        this.grid = grid.instance();
        // "NICKKEY@ROOM": the part after the first @ picks the partition, so a room is on one
        this.grid.getConfig().addMapConfig(new MapConfig(MEMBERS).setBackupCount(1).setPartitioningStrategyConfig(
                new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())));
        this.members = this.grid.getMap(MEMBERS);
        this.node = grid.nodeId();
        this.pool = pool;
        this.membership = this.grid.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                pool.execute(() -> removeNode(event.getMember().getUuid().toString()));
            }
        });
        // fired on the entry's owner only: one notice per expired member, whichever node holds it
        this.expiry = members.addLocalEntryListener((EntryExpiredListener<String, String>) event -> {
            String value = event.getOldValue();
            if (value != null) {
                pool.execute(() -> announce(event.getKey(), value));
            }
        });
        this.renewal = timers.scheduleWithFixedDelay(this::renew, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** {@code NICKKEY@ROOM}, with {@code @} and {@code %} escaped in the nick key so the first {@code @} ends it. */
    static String key(String room, String nickKey) {
        return nickKey.replace("%", "%25").replace("@", "%40") + "@" + room;
    }

    private static String roomOf(String key) {
        return key.substring(key.indexOf('@') + 1);
    }

    @Override
    public boolean claim(String room, String nickKey, ChatEvent.Member member) {
        String key = key(room, nickKey);
        String value = new Held(node, System.currentTimeMillis(), order.incrementAndGet(), member).encode();
        if (members.putIfAbsent(key, value, LEASE.toMillis(), TimeUnit.MILLISECONDS) != null) {
            return false;
        }
        mine.put(key, value);
        return true;
    }

    @Override
    public void update(String room, String nickKey, ChatEvent.Member member) {
        String key = key(room, nickKey);
        String was = mine.get(key);
        if (was == null) {
            return;
        }
        Held held = Held.decode(was);
        String value = new Held(node, held.joined(), held.order(), member).encode();
        if (members.replace(key, was, value)) {
            members.setTtl(key, LEASE.toMillis(), TimeUnit.MILLISECONDS);
            mine.put(key, value);
        }
    }

    @Override
    public void release(String room, String nickKey) {
        String key = key(room, nickKey);
        String value = mine.remove(key);
        if (value != null) {
            members.remove(key, value); // only if still this node's: a lease that ran out may be someone else's now
        }
    }

    @Override
    public List<ChatEvent.Member> members(String room) {
        List<Held> held = new ArrayList<>();
        for (Map.Entry<String, String> entry : members.entrySet(Predicates.partitionPredicate(room, Predicates.alwaysTrue()))) {
            if (roomOf(entry.getKey()).equals(room)) {
                held.add(Held.decode(entry.getValue()));
            }
        }
        held.sort(Comparator.comparingLong(Held::joined).thenComparing(Held::node).thenComparingLong(Held::order));
        List<ChatEvent.Member> list = new ArrayList<>(held.size());
        held.forEach(h -> list.add(h.member()));
        return list;
    }

    @Override
    public ChatEvent.Member find(String room, String nickKey) {
        String value = members.get(key(room, nickKey));
        return value == null ? null : Held.decode(value).member();
    }

    @Override
    public void onDeparture(BiConsumer<String, ChatEvent.Member> departed) {
        this.departed = departed;
    }

    /** A node left the grid: the oldest surviving member removes its members, once, and the rooms hear it. */
    private void removeNode(String gone) {
        try {
            Member oldest = grid.getCluster().getMembers().iterator().next();
            if (!oldest.localMember()) {
                return;
            }
            int removed = 0;
            for (Map.Entry<String, String> entry : members.entrySet()) {
                if (entry.getValue().startsWith(gone + "\n") && members.remove(entry.getKey(), entry.getValue())) {
                    announce(entry.getKey(), entry.getValue());
                    removed++;
                }
            }
            if (removed > 0) {
                LOG.info("Cluster: node " + gone + " left the grid; its " + removed + " chat member(s) are unavailable");
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        }
    }

    private void announce(String key, String value) {
        try {
            departed.accept(roomOf(key), Held.decode(value).member());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: could not announce a departure from " + roomOf(key), e);
        }
    }

    /** Renews this node's leases; one that ran out meanwhile (this node was paused) is taken back if still free. */
    private void renew() {
        try {
            for (Map.Entry<String, String> entry : mine.entrySet()) {
                String key = entry.getKey();
                String value = entry.getValue();
                if (members.setTtl(key, LEASE.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                // not renewed: gone (this node was unreachable past its lease), or a migration was under way
                String current = members.get(key);
                if (value.equals(current)) {
                    members.set(key, value, LEASE.toMillis(), TimeUnit.MILLISECONDS); // still ours
                } else if (current != null
                        || members.putIfAbsent(key, value, LEASE.toMillis(), TimeUnit.MILLISECONDS) != null) {
                    LOG.warning("Cluster: " + key + " was taken while this node was unreachable");
                    mine.remove(key, value);
                }
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: renewing chat members' leases failed; retrying", e);
        }
    }

    @Override
    public void close() {
        renewal.cancel(false);
        try {
            grid.getCluster().removeMembershipListener(membership);
            members.removeEntryListener(expiry);
            mine.forEach(members::remove);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        mine.clear();
    }
}
