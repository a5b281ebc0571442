package dev.switchboard.chat;

import dev.switchboard.bus.Since;
import jakarta.json.JsonValue;

/** What a client asks of the chat: one record per message type of the contract. */
public sealed interface ChatCommand {

    /**
     * {@code {"type":"join","nick":…,"presence":…,"status":…,"since":{"epoch":…,"offset":N}}} — must
     * come first; {@code since} (null when absent) asks for the room messages missed after it.
     */
    record Join(String nick, Presence presence, String status, Since since) implements ChatCommand {
        public Join(String nick, Presence presence, String status) {
            this(nick, presence, status, null);
        }
    }


    /** {@code {"type":"message","text":…}} — to the whole room. */
    record Say(String text) implements ChatCommand {
    }

    /** {@code {"type":"private","to":…,"text":…}} — to one member. */
    record Whisper(String to, String text) implements ChatCommand {
    }

    /** {@code {"type":"presence","presence":…,"status":…}}; a missing status keeps the current one (null). */
    record SetPresence(Presence presence, String status) implements ChatCommand {
    }

    /** {@code {"type":"typing"}}. */
    record Typing() implements ChatCommand {
    }

    /** {@code {"type":"ping","id":…}}; the id comes back as given (null when absent). */
    record Ping(JsonValue id) implements ChatCommand {
    }
}
