package dev.switchboard.chat;

import dev.switchboard.bus.ChannelEvent;

/**
 * What a room's channel carries: the room's own events, not their JSON (each member's edge
 * encodes, once per event for all of them). Only what is said to the room is kept for recovery.
 */
sealed interface RoomEvent extends ChannelEvent {

    /** A room message: kept in the room's log, to every member, the sender included. */
    record Said(String id, String room, String from, String text, long ts) implements RoomEvent {
        @Override
        public boolean retained() {
            return true;
        }

        @Override
        public long bytes() {
            return 2L * (id.length() + room.length() + from.length() + text.length()) + 96;
        }

        ChatEvent.RoomMessage at(long offset) {
            return new ChatEvent.RoomMessage(id, room, from, text, ts, offset);
        }
    }

    /** A presence change or typing hint, to every member but {@code exceptNick} (null: every member). */
    record Notice(ChatEvent event, String exceptNick) implements RoomEvent {
    }

    /** A private message: only its sender and its recipient get it, and it is never kept. */
    record Whispered(ChatEvent.PrivateMessage message) implements RoomEvent {
    }

    @Override
    default boolean retained() {
        return false;
    }

    @Override
    default long bytes() {
        return 0;
    }
}
