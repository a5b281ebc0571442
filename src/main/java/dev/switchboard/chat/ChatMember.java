package dev.switchboard.chat;

import dev.switchboard.connection.Broadcast;

/** A connection as a chat room sees it: a key that tells members apart and a way to get messages. */
public interface ChatMember {

    /** Unique among all connections. */
    String key();

    /** Hands a message to this member's outbox; never blocks. */
    void send(Broadcast message);
}
