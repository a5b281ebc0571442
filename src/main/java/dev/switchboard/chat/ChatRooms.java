package dev.switchboard.chat;

import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Every chat room of this server: a room appears with its first member and goes with its last.
 * Reports {@code switchboard_chat_rooms} and {@code switchboard_chat_room_members{room}}.
 */
public final class ChatRooms {

    /** How rooms' events cross between the nodes of a cluster. */
    public static final EventCodec CODEC = new RoomEventCodec();

    /** A room's channel on the bus. */
    public static String channel(String room) {
        return "chat:" + room;
    }

    private final MessageBus bus;
    private final FanOut fanOut;
    private final int historyLimit;
    private final LongSupplier clock;
    private final MessageIds ids = new MessageIds();
    private final ConcurrentMap<String, ChatRoom> rooms = new ConcurrentHashMap<>();
    private final MultiGauge members;
    private final Roster roster;

    public ChatRooms(MessageBus bus, FanOut fanOut, int historyLimit, LongSupplier clock,
                     MeterRegistry registry) {
        this(bus, fanOut, historyLimit, clock, registry, Roster.local());
    }

    /** @param roster who is in each room: this process's, or the cluster's */
    public ChatRooms(MessageBus bus, FanOut fanOut, int historyLimit, LongSupplier clock,
                     MeterRegistry registry, Roster roster) {
        this.roster = roster;
        // members whose node died are unavailable to the others, as for any leave; back, they are back
        roster.onChanges((room, gone) -> bus.publish(channel(room), new RoomEvent.Notice(
                new ChatEvent.PresenceChange(gone.nick(), Presence.UNAVAILABLE, gone.status()), null)),
                (room, back) -> bus.publish(channel(room), new RoomEvent.Notice(
                        new ChatEvent.PresenceChange(back.nick(), back.presence(), back.status()), null)));
        this.bus = bus;
        this.fanOut = fanOut;
        this.historyLimit = historyLimit;
        this.clock = clock;
        Gauge.builder("switchboard.chat.rooms", rooms, ConcurrentMap::size)
                .description("Chat rooms with at least one member").register(registry);
        members = MultiGauge.builder("switchboard.chat.room.members").description("Members of a chat room")
                .register(registry);
    }

    /** Refreshes the per-room member gauges (call before a scrape); rooms that went are dropped. */
    public void refreshMetrics() {
        members.register(rooms.values().stream()
                .map(room -> MultiGauge.Row.of(Tags.of("room", room.name()), room.size()))
                .toList(), true);
    }

    /** Joins the named room, creating it if needed; see {@link ChatRoom#join} for what the caller does next. */
    public ChatRoom.Joined join(String roomName, ChatMember member, ChatCommand.Join join) throws ChatException {
        while (true) {
            ChatRoom room = rooms.computeIfAbsent(roomName, this::open);
            ChatRoom.Joined joined = room.join(member, join);
            if (joined != null) {
                return joined;
            }
            rooms.remove(roomName, room); // it emptied meanwhile; take a fresh one
        }
    }

    public void leave(ChatRoom room, ChatMember member) {
        if (room.leave(member)) {
            rooms.remove(room.name(), room);
        }
    }

    public ChatRoom room(String name) {
        return rooms.get(name);
    }

    /** The rooms that have members now, sorted by name. */
    public java.util.List<String> names() {
        return rooms.keySet().stream().sorted().toList();
    }

    private ChatRoom open(String name) {
        return new ChatRoom(name, bus, fanOut, historyLimit, clock, ids, roster);
    }
}
