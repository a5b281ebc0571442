package dev.switchboard.connection;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionTest {

    @Test
    void utf8LengthMatchesTheEncoder() {
        for (String text : new String[] {"", "hello", "héllo", "日本語", "emoji 😀 and more 🎉", "\u0000\u007f\u0080\u07ff\u0800\uffff"}) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Utf8.encodedLength(text), text);
        }
    }

    @Test
    void closeReasonIsCutTo123BytesOnACharacterBoundary() {
        String reason = "é".repeat(100); // 200 bytes
        String cut = Connection.truncate(reason);
        assertTrue(Utf8.encodedLength(cut) <= 123);
        assertEquals(61, cut.length());
        assertEquals("short", Connection.truncate("short"));
    }
}
