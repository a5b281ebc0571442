package dev.switchboard.chat;

import dev.switchboard.bus.Since;
import dev.switchboard.connection.ErrorCode;
import dev.switchboard.connection.StrictJson;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The chat's JSON, both ways, as pure functions: text to a {@link ChatCommand} (or a
 * {@link ChatException} naming the contract's error), and a {@link ChatEvent} to text.
 */
public final class ChatCodec {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    public static final int MAX_NICK = Nicks.MAX_LENGTH;
    public static final int MAX_STATUS = 140;

    private final int maxText;

    /** @param maxText longest message text in characters ({@code chat.max-text}) */
    public ChatCodec(int maxText) {
        this.maxText = maxText;
    }

    public ChatCommand decode(String json) throws ChatException {
        JsonObject object = parseObject(json);
        String type = requiredString(object, "type");
        return switch (type) {
            case "join" -> new ChatCommand.Join(nick(object), optionalPresence(object, Presence.AVAILABLE),
                    status(object, ""), since(object));
            case "message" -> new ChatCommand.Say(text(object));
            case "private" -> new ChatCommand.Whisper(requiredString(object, "to"), text(object));
            case "presence" -> new ChatCommand.SetPresence(requiredPresence(object), status(object, null));
            case "typing" -> new ChatCommand.Typing();
            case "ping" -> new ChatCommand.Ping(object.get("id"));
            default -> throw bad("unknown type '" + abbreviate(type) + "'");
        };
    }

    /** The wire {@code type} of a command. */
    public static String typeOf(ChatCommand command) {
        if (command instanceof ChatCommand.Join) {
            return "join";
        } else if (command instanceof ChatCommand.Say) {
            return "message";
        } else if (command instanceof ChatCommand.Whisper) {
            return "private";
        } else if (command instanceof ChatCommand.SetPresence) {
            return "presence";
        } else if (command instanceof ChatCommand.Typing) {
            return "typing";
        }
        return "ping";
    }

    public String encode(ChatEvent event) {
        return json(event);
    }

    /**
     * A message's text as the chat takes it, from any protocol: not empty, at most
     * {@code chat.max-text} characters.
     */
    public String checkedText(String text) throws ChatException {
        if (text == null || text.isEmpty()) {
            throw bad("text is empty");
        }
        if (text.length() > maxText && text.codePointCount(0, text.length()) > maxText) {
            throw new ChatException(ErrorCode.TOO_LONG, "text is longer than " + maxText + " characters");
        }
        return text;
    }

    /** A nick as the chat takes it, from any protocol (see {@link Nicks}). */
    public static String checkedNick(String nick) throws ChatException {
        return Nicks.normalise(nick);
    }

    /** The event as the JSON chat's message. */
    static String json(ChatEvent event) {
        JsonObjectBuilder json = JSON.createObjectBuilder();
        if (event instanceof ChatEvent.Welcome welcome) {
            JsonArrayBuilder members = JSON.createArrayBuilder();
            welcome.members().forEach(m -> members.add(member(m)));
            JsonArrayBuilder history = JSON.createArrayBuilder();
            welcome.history().forEach(m -> history.add(roomMessage(m)));
            json.add("type", "welcome").add("nick", welcome.nick()).add("room", welcome.room())
                    .add("members", members).add("history", history).add("epoch", welcome.epoch())
                    .add("offset", welcome.offset());
            if (welcome.recovered() != null) {
                json.add("recovered", welcome.recovered());
            }
        } else if (event instanceof ChatEvent.RoomMessage message) {
            json = roomMessage(message);
        } else if (event instanceof ChatEvent.PrivateMessage message) {
            json.add("type", "private").add("id", message.id()).add("from", message.from()).add("to", message.to())
                    .add("text", message.text()).add("ts", message.ts());
        } else if (event instanceof ChatEvent.PresenceChange change) {
            json.add("type", "presence").add("nick", change.nick()).add("presence", change.presence().wire())
                    .add("status", change.status());
        } else if (event instanceof ChatEvent.TypingHint typing) {
            json.add("type", "typing").add("nick", typing.nick());
        } else if (event instanceof ChatEvent.Pong pong) {
            json.add("type", "pong");
            if (pong.id() != null) {
                json.add("id", pong.id());
            }
        }
        return json.build().toString();
    }

    private static JsonObjectBuilder member(ChatEvent.Member member) {
        return JSON.createObjectBuilder().add("nick", member.nick()).add("presence", member.presence().wire())
                .add("status", member.status());
    }

    private static JsonObjectBuilder roomMessage(ChatEvent.RoomMessage message) {
        return JSON.createObjectBuilder().add("type", "message").add("id", message.id()).add("room", message.room())
                .add("from", message.from()).add("text", message.text()).add("ts", message.ts())
                .add("offset", message.offset());
    }

    // ---- decoding helpers --------------------------------------------------------------------------

    private static JsonObject parseObject(String json) throws ChatException {
        try {
            return StrictJson.parseObject(json);
        } catch (StrictJson.Invalid e) {
            throw bad(e.getMessage());
        }
    }

    private static String requiredString(JsonObject object, String field) throws ChatException {
        JsonValue value = object.get(field);
        if (value == null) {
            throw bad("missing field '" + field + "'");
        }
        if (!(value instanceof JsonString string)) {
            throw bad("field '" + field + "' must be a string");
        }
        return string.getString();
    }

    /** {@code "since":{"epoch":"…","offset":N}}: a string and a whole number, nothing else. */
    private static Since since(JsonObject object) throws ChatException {
        JsonValue value = object.get("since");
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (!(value instanceof JsonObject since)) {
            throw bad("since must be an object with epoch and offset");
        }
        String epoch = requiredString(since, "epoch");
        if (!(since.get("offset") instanceof JsonNumber offset) || !offset.isIntegral()
                || offset.bigIntegerValue().signum() < 0 || offset.bigIntegerValue().bitLength() > 62) {
            throw bad("since.offset must be a whole number, 0 or more");
        }
        return new Since(epoch, offset.longValue());
    }

    private static String nick(JsonObject object) throws ChatException {
        return Nicks.normalise(requiredString(object, "nick"));
    }

    private String text(JsonObject object) throws ChatException {
        return checkedText(requiredString(object, "text"));
    }

    private static String status(JsonObject object, String absent) throws ChatException {
        if (!object.containsKey("status")) {
            return absent;
        }
        String status = requiredString(object, "status");
        if (status.codePointCount(0, status.length()) > MAX_STATUS) {
            throw new ChatException(ErrorCode.TOO_LONG, "status is longer than " + MAX_STATUS + " characters");
        }
        return status;
    }

    private static Presence requiredPresence(JsonObject object) throws ChatException {
        return choosable(requiredString(object, "presence"));
    }

    private static Presence optionalPresence(JsonObject object, Presence absent) throws ChatException {
        return object.containsKey("presence") ? choosable(requiredString(object, "presence")) : absent;
    }

    private static Presence choosable(String wire) throws ChatException {
        return Presence.choosable(wire)
                .orElseThrow(() -> bad("presence must be available, away or dnd, not '" + abbreviate(wire) + "'"));
    }

    private static ChatException bad(String detail) {
        return new ChatException(ErrorCode.BAD_REQUEST, detail);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
