package dev.switchboard.connection;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionTest {

    private static final java.util.concurrent.ScheduledExecutorService TIMERS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(dev.switchboard.ops.DaemonThreads.named("test-timers"));

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

    /** A session whose sends are kept, never completed, until the test completes them. */
    private static final class HeldSends {
        final java.util.List<jakarta.websocket.SendHandler> handlers = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicInteger closes = new java.util.concurrent.atomic.AtomicInteger();
        final jakarta.websocket.Session session;

        HeldSends(boolean encodeStrictly) {
            jakarta.websocket.RemoteEndpoint.Async remote = proxy(jakarta.websocket.RemoteEndpoint.Async.class, (method, args) -> {
                if (method.equals("sendText") || method.equals("sendBinary")) {
                    if (encodeStrictly && args[0] instanceof String text) {
                        try {
                            StandardCharsets.UTF_8.newEncoder().encode(java.nio.CharBuffer.wrap(text));
                        } catch (java.nio.charset.CharacterCodingException e) {
                            throw new Error(e); // what Tyrus's TextFrame does
                        }
                    }
                    handlers.add((jakarta.websocket.SendHandler) args[1]);
                }
                return null;
            });
            session = proxy(jakarta.websocket.Session.class, (method, args) -> switch (method) {
                case "getAsyncRemote" -> remote;
                case "getUserProperties" -> new java.util.HashMap<String, Object>();
                case "getId" -> "held";
                case "close" -> {
                    closes.incrementAndGet();
                    yield null;
                }
                default -> null;
            });
        }
    }

    private static double errors(dev.switchboard.ops.SwitchboardMetrics metrics, String code) {
        io.micrometer.core.instrument.Counter counter = metrics.registry().find("switchboard.errors").tag("code", code).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void textWithALoneSurrogateIsRefusedNotThrown() {
        HeldSends held = new HeldSends(true);
        dev.switchboard.ops.SwitchboardMetrics metrics = new dev.switchboard.ops.SwitchboardMetrics();
        Connection connection = new Connection(held.session, metrics.endpoint("test"), new ConnectionLimits(1024, 1 << 20), TIMERS);
        java.util.List<Boolean> reports = new java.util.ArrayList<>();
        connection.sendText("x\ud800");
        connection.send(dev.switchboard.connection.Broadcast.Text.of("\udc00 alone"), reports::add);
        connection.deliver(dev.switchboard.connection.Broadcast.text("y\ud800"));
        assertEquals(java.util.List.of(false), reports);
        assertEquals(0, connection.queuedBytes(), "a refused text is not queued");
        assertEquals(0, held.handlers.size(), "nothing reached the container");
        assertEquals(3, errors(metrics, "unencodable-text"));
        connection.sendText("fine \ud83d\ude00"); // a proper pair still goes
        assertEquals(1, held.handlers.size());
    }

    @Test
    void wellFormedMeansNoUnpairedSurrogate() {
        assertTrue(Utf8.isWellFormed("plain, é, 日本, \ud83d\ude00"));
        for (String bad : new String[] {"\ud800", "a\ud800b", "\udc00", "\ude00\ud83d", "end\ud83d"}) {
            assertTrue(!Utf8.isWellFormed(bad), bad);
        }
    }

    @Test
    void teardownAfterTheCloseGraceFailsWhatIsStillQueuedAndZeroesTheCount() throws Exception {
        HeldSends held = new HeldSends(false);
        Connection connection = new Connection(held.session, new dev.switchboard.ops.SwitchboardMetrics().endpoint("test"),
                new ConnectionLimits(1024, 1 << 20, java.time.Duration.ofMillis(50)), TIMERS);
        java.util.List<Boolean> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        connection.send(dev.switchboard.connection.Broadcast.Text.of("one"), reports::add);
        connection.send(new dev.switchboard.connection.Broadcast.Binary(new byte[100]), reports::add);
        connection.send(dev.switchboard.connection.Broadcast.Text.of("three"), reports::add);
        held.handlers.get(0).onResult(new jakarta.websocket.SendResult());
        assertEquals(105, connection.queuedBytes());
        connection.close(1013, "slow consumer");
        dev.switchboard.testing.Await.until("the teardown", () -> connection.queuedBytes() == 0);
        assertEquals(java.util.List.of(true, false, false), reports);
        held.handlers.get(1).onResult(new jakarta.websocket.SendResult()); // a late report changes nothing
        assertEquals(0, connection.queuedBytes());
        assertEquals(3, reports.size());
        connection.send(dev.switchboard.connection.Broadcast.Text.of("after"), reports::add);
        assertEquals(false, reports.get(3), "a closed connection refuses sends");
        assertEquals(1, held.closes.get());
    }

    @Test
    void aLargeMessageBehindASmallOneStillInFlightIsNotASlowConsumerButAnythingPiledBehindItIs() {
        // Undertow reports a send done later, from its I/O thread: an image's header is still pending when the image comes
        HeldSends held = new HeldSends(false);
        Connection connection = new Connection(held.session, new dev.switchboard.ops.SwitchboardMetrics().endpoint("test"),
                new ConnectionLimits(1 << 20, 1000, java.time.Duration.ofSeconds(5)), TIMERS);
        java.util.List<Boolean> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        connection.send(dev.switchboard.connection.Broadcast.Text.of("header"), reports::add);
        connection.send(new dev.switchboard.connection.Broadcast.Binary(new byte[5000]), reports::add);
        assertEquals(0, held.closes.get(), "what waits ahead of the image is within send-queue-bytes");
        assertEquals(5006, connection.queuedBytes());
        connection.send(dev.switchboard.connection.Broadcast.Text.of("next"), reports::add);
        assertEquals(1, held.closes.get(), "5006 bytes ahead of it: a slow consumer");
        assertEquals(java.util.List.of(false), reports, "only the message behind them was refused so far");
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> answer.answer(method.getName(), args)));
    }
}
