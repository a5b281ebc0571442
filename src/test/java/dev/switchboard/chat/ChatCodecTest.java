package dev.switchboard.chat;

import dev.switchboard.connection.ErrorCode;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatCodecTest {

    private final ChatCodec codec = new ChatCodec(10);

    private ErrorCode errorOf(String json) {
        return assertThrows(ChatException.class, () -> codec.decode(json)).error();
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    // ---- client -> server ----

    @Test
    void joinWithAllFields() throws Exception {
        assertEquals(new ChatCommand.Join("alice", Presence.AWAY, "at my desk"),
                codec.decode("{\"type\":\"join\",\"nick\":\"alice\",\"presence\":\"away\",\"status\":\"at my desk\"}"));
    }

    @Test
    void joinDefaultsToAvailableWithEmptyStatus() throws Exception {
        assertEquals(new ChatCommand.Join("bob", Presence.AVAILABLE, ""), codec.decode("{\"type\":\"join\",\"nick\":\"bob\"}"));
    }

    @Test
    void joinNickRules() {
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":\"\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":\"   \"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":\"" + "n".repeat(33) + "\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":\"bad\\u0007bell\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":42}"));
    }

    @Test
    void joinNickOf32CharactersIncludingEmojiIsFine() throws Exception {
        String nick = "😀".repeat(32);
        assertEquals(nick, ((ChatCommand.Join) codec.decode("{\"type\":\"join\",\"nick\":\"" + nick + "\"}")).nick());
    }

    @Test
    void unknownPresenceIsBadRequestAndLongStatusIsTooLong() {
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":\"a\",\"presence\":\"sleepy\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"join\",\"nick\":\"a\",\"presence\":\"unavailable\"}"));
        assertEquals(ErrorCode.TOO_LONG, errorOf("{\"type\":\"join\",\"nick\":\"a\",\"status\":\"" + "s".repeat(141) + "\"}"));
    }

    @Test
    void messageText() throws Exception {
        assertEquals(new ChatCommand.Say("hi"), codec.decode("{\"type\":\"message\",\"text\":\"hi\"}"));
        assertEquals(new ChatCommand.Say("x".repeat(10)), codec.decode("{\"type\":\"message\",\"text\":\"" + "x".repeat(10) + "\"}"));
        assertEquals(ErrorCode.TOO_LONG, errorOf("{\"type\":\"message\",\"text\":\"" + "x".repeat(11) + "\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"message\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"message\",\"text\":\"\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"message\",\"text\":[\"hi\"]}"));
    }

    @Test
    void textLengthCountsCharactersNotBytesOrUtf16Units() throws Exception {
        String tenEmoji = "😀".repeat(10); // 20 UTF-16 units, 40 bytes
        assertEquals(new ChatCommand.Say(tenEmoji), codec.decode("{\"type\":\"message\",\"text\":\"" + tenEmoji + "\"}"));
    }

    @Test
    void privateMessage() throws Exception {
        assertEquals(new ChatCommand.Whisper("bob", "psst"), codec.decode("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"psst\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"private\",\"text\":\"psst\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"private\",\"to\":null,\"text\":\"psst\"}"));
        assertEquals(ErrorCode.TOO_LONG, errorOf("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"" + "x".repeat(11) + "\"}"));
    }

    @Test
    void presenceChange() throws Exception {
        assertEquals(new ChatCommand.SetPresence(Presence.DND, "busy"),
                codec.decode("{\"type\":\"presence\",\"presence\":\"dnd\",\"status\":\"busy\"}"));
        assertEquals(new ChatCommand.SetPresence(Presence.AWAY, null), codec.decode("{\"type\":\"presence\",\"presence\":\"away\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"presence\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, errorOf("{\"type\":\"presence\",\"presence\":\"gone\"}"));
        assertEquals(ErrorCode.TOO_LONG, errorOf("{\"type\":\"presence\",\"presence\":\"away\",\"status\":\"" + "s".repeat(141) + "\"}"));
    }

    @Test
    void typingAndPing() throws Exception {
        assertEquals(new ChatCommand.Typing(), codec.decode("{\"type\":\"typing\"}"));
        ChatCommand.Ping ping = (ChatCommand.Ping) codec.decode("{\"type\":\"ping\",\"id\":\"x\"}");
        assertEquals("\"x\"", ping.id().toString());
        assertNull(((ChatCommand.Ping) codec.decode("{\"type\":\"ping\"}")).id());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        assertEquals(new ChatCommand.Typing(), codec.decode("{\"type\":\"typing\",\"extra\":{\"deep\":[1,2]}}"));
    }

    @Test
    void malformedInputIsBadRequest() {
        for (String json : List.of("", "not json", "{", "{\"type\":\"join\"", "[]", "42", "\"message\"", "null",
                "{\"nick\":\"a\"}", "{\"type\":7}", "{\"type\":\"shout\"}", "{\"type\":\"join\",\"nick\":\"a\"} trailing",
                "[".repeat(100_000), "{\"a\":".repeat(50_000))) {
            assertEquals(ErrorCode.BAD_REQUEST, errorOf(json), () -> "input " + json.substring(0, Math.min(40, json.length())));
        }
    }

    // ---- server -> client ----

    @Test
    void welcomeListsMembersAndHistory() {
        String json = codec.encode(new ChatEvent.Welcome("alice", "lobby",
                List.of(new ChatEvent.Member("alice", Presence.AVAILABLE, ""), new ChatEvent.Member("bob", Presence.AWAY, "lunch")),
                List.of(new ChatEvent.RoomMessage("m1", "lobby", "bob", "hi", 5, 1)), "e1", 7, null));
        JsonObject welcome = parse(json);
        assertEquals("e1", welcome.getString("epoch"));
        assertEquals(7, welcome.getInt("offset"));
        assertFalse(welcome.containsKey("recovered"), "only a join with since asks for recovery");
        assertEquals("welcome", welcome.getString("type"));
        assertEquals("alice", welcome.getString("nick"));
        assertEquals("lobby", welcome.getString("room"));
        assertEquals("bob", welcome.getJsonArray("members").getJsonObject(1).getString("nick"));
        assertEquals("away", welcome.getJsonArray("members").getJsonObject(1).getString("presence"));
        assertEquals("lunch", welcome.getJsonArray("members").getJsonObject(1).getString("status"));
        JsonObject history = welcome.getJsonArray("history").getJsonObject(0);
        assertEquals("message", history.getString("type"));
        assertEquals(5, history.getJsonNumber("ts").longValue());
        assertEquals(1, history.getInt("offset"));
    }

    @Test
    void joinMayCarrySinceAsAnEpochAndAWholeOffset() throws Exception {
        ChatCommand.Join join = (ChatCommand.Join) codec.decode(
                "{\"type\":\"join\",\"nick\":\"a\",\"since\":{\"epoch\":\"e1\",\"offset\":12}}");
        assertEquals(new dev.switchboard.bus.Since("e1", 12), join.since());
        for (String since : new String[] {"\"e1:12\"", "{\"epoch\":\"e1\"}", "{\"epoch\":1,\"offset\":1}",
                "{\"epoch\":\"e\",\"offset\":-1}", "{\"epoch\":\"e\",\"offset\":1.5}",
                "{\"epoch\":\"e\",\"offset\":99999999999999999999}"}) {
            ChatException bad = assertThrows(ChatException.class,
                    () -> codec.decode("{\"type\":\"join\",\"nick\":\"a\",\"since\":" + since + "}"), since);
            assertEquals(ErrorCode.BAD_REQUEST, bad.error());
        }
    }

    @Test
    void eachEventHasTheContractsFields() {
        assertEquals(parse("{\"type\":\"message\",\"id\":\"m\",\"room\":\"r\",\"from\":\"a\",\"text\":\"<b>hi</b>\",\"ts\":1,\"offset\":9}"),
                parse(codec.encode(new ChatEvent.RoomMessage("m", "r", "a", "<b>hi</b>", 1, 9))));
        assertEquals(parse("{\"type\":\"private\",\"id\":\"p\",\"from\":\"a\",\"to\":\"b\",\"text\":\"psst\",\"ts\":2}"),
                parse(codec.encode(new ChatEvent.PrivateMessage("p", "a", "b", "psst", 2))));
        assertEquals(parse("{\"type\":\"presence\",\"nick\":\"b\",\"presence\":\"unavailable\",\"status\":\"\"}"),
                parse(codec.encode(new ChatEvent.PresenceChange("b", Presence.UNAVAILABLE, ""))));
        assertEquals(parse("{\"type\":\"typing\",\"nick\":\"b\"}"), parse(codec.encode(new ChatEvent.TypingHint("b"))));
        assertEquals(parse("{\"type\":\"pong\",\"id\":\"x\"}"), parse(codec.encode(new ChatEvent.Pong(Json.createValue("x")))));
        assertEquals(parse("{\"type\":\"pong\"}"), parse(codec.encode(new ChatEvent.Pong(null))));
        assertEquals(parse("{\"type\":\"error\",\"code\":\"nick-taken\",\"detail\":\"d\"}"),
                parse(ErrorCode.NICK_TAKEN.json("d")));
    }

    @Test
    void textWithQuotesAndControlCharactersRoundTrips() throws Exception {
        String text = "he said \"<script>\"\n\ttab \\ back";
        String encoded = codec.encode(new ChatEvent.RoomMessage("m", "r", "a", text, 1, 1));
        assertEquals(text, parse(encoded).getString("text"));
        assertTrue(new ChatCodec(100).decode("{\"type\":\"message\",\"text\":" + Json.createValue(text) + "}")
                instanceof ChatCommand.Say say && say.text().equals(text));
    }
}
