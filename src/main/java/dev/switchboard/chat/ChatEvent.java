package dev.switchboard.chat;

import jakarta.json.JsonValue;

import java.util.List;

/** What the chat tells clients: one record per server message type of the contract. */
public sealed interface ChatEvent {

    record Member(String nick, Presence presence, String status) {
    }

    /** {@code recovered} is null when the join asked for no recovery. */
    record Welcome(String nick, String room, List<Member> members, List<RoomMessage> history, String epoch,
                   long offset, Boolean recovered) implements ChatEvent {
    }

    /** {@code offset}: the message's place in its room's log. */
    record RoomMessage(String id, String room, String from, String text, long ts, long offset) implements ChatEvent {
    }

    record PrivateMessage(String id, String from, String to, String text, long ts) implements ChatEvent {
    }

    record PresenceChange(String nick, Presence presence, String status) implements ChatEvent {
    }

    record TypingHint(String nick) implements ChatEvent {
    }

    record Pong(JsonValue id) implements ChatEvent {
    }

}
