package dev.switchboard.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Who is in each room, by nick key ({@link Nicks#key}): this process's members, or with
 * {@code cluster=on} every node's (the grid's table), so a nick is unique in the whole cluster and
 * a welcome lists everyone. A room holds its own members' connections; this holds only names.
 */
public interface Roster extends AutoCloseable {

    /** Takes {@code nickKey} in the room for {@code member}; false when someone, anywhere, has it. */
    boolean claim(String room, String nickKey, ChatEvent.Member member);

    /** The member's new presence or status. */
    void update(String room, String nickKey, ChatEvent.Member member);

    void release(String room, String nickKey);

    /** The room's members, in the order they joined. */
    List<ChatEvent.Member> members(String room);

    /** The member with that nick key in the room, or null. */
    ChatEvent.Member find(String room, String nickKey);

    /**
     * Who to tell of members that leave without their node saying so ({@code departed}: the node
     * died or stopped renewing them) and of members of a node that came back ({@code returned}),
     * with their room. A roster of this process only never calls either.
     */
    default void onChanges(BiConsumer<String, ChatEvent.Member> departed, BiConsumer<String, ChatEvent.Member> returned) {
    }

    /** Stops watching for departures (the rooms' own members leave as their connections close). */
    @Override
    default void close() {
    }

    /** This process's rooms only. */
    static Roster local() {
        return new Roster() {
            private final Map<String, LinkedHashMap<String, ChatEvent.Member>> rooms = new HashMap<>();

            @Override
            public synchronized boolean claim(String room, String nickKey, ChatEvent.Member member) {
                return rooms.computeIfAbsent(room, r -> new LinkedHashMap<>()).putIfAbsent(nickKey, member) == null;
            }

            @Override
            public synchronized void update(String room, String nickKey, ChatEvent.Member member) {
                Map<String, ChatEvent.Member> members = rooms.get(room);
                if (members != null) {
                    members.replace(nickKey, member);
                }
            }

            @Override
            public synchronized void release(String room, String nickKey) {
                Map<String, ChatEvent.Member> members = rooms.get(room);
                if (members != null && members.remove(nickKey) != null && members.isEmpty()) {
                    rooms.remove(room);
                }
            }

            @Override
            public synchronized List<ChatEvent.Member> members(String room) {
                Map<String, ChatEvent.Member> members = rooms.get(room);
                return members == null ? new ArrayList<>() : new ArrayList<>(members.values());
            }

            @Override
            public synchronized ChatEvent.Member find(String room, String nickKey) {
                Map<String, ChatEvent.Member> members = rooms.get(room);
                return members == null ? null : members.get(nickKey);
            }
        };
    }
}
