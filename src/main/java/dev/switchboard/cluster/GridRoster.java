package dev.switchboard.cluster;

import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.query.Predicates;
import dev.switchboard.chat.ChatEvent;
import dev.switchboard.chat.Presence;
import dev.switchboard.chat.Roster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The rooms' members across the cluster: one grid map, {@code NICKKEY@ROOM} → the member, each
 * entry a lease of the node holding the member's connection ({@link GridLeases}). {@code putIfAbsent}
 * makes a nick unique cluster-wide; the key's {@code @ROOM} puts a room's members on one partition,
 * so a welcome's list is one partition's read. Members whose node died or stopped renewing are
 * reported {@code unavailable} to their rooms; members of a node that came back, available again.
 */
public final class GridRoster implements Roster {

    static final String MEMBERS = "switchboard.chat.members";

    /** A member as stored: when it joined (the list's order), then the member. */
    private record Held(long joined, long order, ChatEvent.Member member) {
        String encode() {
            return joined + "\n" + order + "\n" + member.nick() + "\n" + member.presence().name() + "\n"
                    + (member.status() == null ? "" : member.status());
        }

        static Held decode(String value) {
            String[] parts = value.split("\n", 5);
            return new Held(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                    new ChatEvent.Member(parts[2], Presence.valueOf(parts[3]), parts[4]));
        }
    }

    private final GridLeases leases;
    private final AtomicLong order = new AtomicLong();

    public GridRoster(Grid grid, Executor pool, ScheduledExecutorService timers) {
        // "NICKKEY@ROOM": the part after the first @ picks the partition, so a room is on one
        this.leases = new GridLeases(grid, new MapConfig(MEMBERS).setPartitioningStrategyConfig(
                new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())), "chat member", pool, timers);
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
        return leases.claim(key(room, nickKey), new Held(System.currentTimeMillis(), order.incrementAndGet(), member).encode());
    }

    @Override
    public void update(String room, String nickKey, ChatEvent.Member member) {
        String key = key(room, nickKey);
        String was = leases.mine(key);
        if (was != null) {
            Held held = Held.decode(was);
            leases.update(key, new Held(held.joined(), held.order(), member).encode());
        }
    }

    @Override
    public void release(String room, String nickKey) {
        leases.release(key(room, nickKey));
    }

    @Override
    public List<ChatEvent.Member> members(String room) {
        List<Held> held = new ArrayList<>();
        for (GridLeases.Leased entry : leases.entries(Predicates.partitionPredicate(room, Predicates.alwaysTrue()))) {
            if (roomOf(entry.key()).equals(room)) {
                held.add(Held.decode(entry.value()));
            }
        }
        held.sort(Comparator.comparingLong(Held::joined).thenComparingLong(Held::order)
                .thenComparing(h -> h.member().nick()));
        List<ChatEvent.Member> list = new ArrayList<>(held.size());
        held.forEach(h -> list.add(h.member()));
        return list;
    }

    @Override
    public ChatEvent.Member find(String room, String nickKey) {
        GridLeases.Leased entry = leases.get(key(room, nickKey));
        return entry == null ? null : Held.decode(entry.value()).member();
    }

    @Override
    public void onChanges(BiConsumer<String, ChatEvent.Member> departed, BiConsumer<String, ChatEvent.Member> returned) {
        leases.onChanges(new GridLeases.Changes() {
            @Override
            public void lapsed(String key, String value) {
                departed.accept(roomOf(key), Held.decode(value).member());
            }

            @Override
            public void restored(String key, String value) {
                returned.accept(roomOf(key), Held.decode(value).member());
            }
        });
    }

    @Override
    public void close() {
        leases.close();
    }
}
