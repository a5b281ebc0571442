package dev.switchboard.chat;

import dev.switchboard.bus.Delivery;
import dev.switchboard.connection.Broadcast;

/**
 * A connection as a chat room sees it: a key that tells members apart and a way to get messages.
 * JSON members take the room's JSON; a member of another protocol (an XMPP occupant) overrides
 * {@link #receive} and encodes each event its own way, once per event for all such members.
 */
public interface ChatMember {

    /** Unique among all connections. */
    String key();

    /** Hands a JSON message to this member's outbox; never blocks. */
    void send(Broadcast message);

    /**
     * One room event meant for this member (whispers between others and notices about itself are
     * already left out); {@code delivery} keeps each wire format's encoding for every member.
     */
    default void receive(ChatEvent event, Delivery delivery) {
        send(ChatRoom.json(delivery));
    }
}
