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

    /**
     * A container reports a close on the sending thread when a send finds the peer gone, or when
     * the queue passes its bound (1013): both happen inside the send, which the connection marks,
     * so that the endpoint runs the departure elsewhere (a sender may hold a room's lock).
     */
    @Test
    void closesReportedInsideASendHappenWhileTheSendIsMarked() {
        java.util.List<Boolean> markedAtSend = new java.util.ArrayList<>();
        java.util.List<Boolean> markedAtClose = new java.util.ArrayList<>();
        jakarta.websocket.RemoteEndpoint.Async remote = proxy(jakarta.websocket.RemoteEndpoint.Async.class, (method, args) -> {
            if (method.equals("sendText")) {
                markedAtSend.add(Connection.sendingOnThisThread()); // never completes: the queue fills
            }
            return null;
        });
        jakarta.websocket.Session session = proxy(jakarta.websocket.Session.class, (method, args) -> switch (method) {
            case "getAsyncRemote" -> remote;
            case "getUserProperties" -> new java.util.HashMap<String, Object>();
            case "getId" -> "test";
            case "close" -> {
                markedAtClose.add(Connection.sendingOnThisThread());
                yield null;
            }
            default -> null;
        });
        Connection connection = new Connection(session,
                new dev.switchboard.ops.SwitchboardMetrics().endpoint("test"), new ConnectionLimits(1024, 100));
        connection.sendText("x".repeat(80));
        connection.sendText("x".repeat(80)); // 160 bytes pending > 100: closed with 1013 inside the send
        assertEquals(java.util.List.of(true), markedAtSend);
        assertEquals(java.util.List.of(true), markedAtClose);
        assertTrue(!Connection.sendingOnThisThread(), "the mark ends with the send");
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> answer.answer(method.getName(), args)));
    }
}
