package dev.switchboard.connection;

import dev.switchboard.ops.SwitchboardMetrics;
import dev.switchboard.transport.ServerFrames;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Extension;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which way a connection's messages leave — Switchboard's own frames through Tyrus's raw writer,
 * or the Jakarta API — on a stand-in session shaped like Tyrus's ({@code asyncRemote} →
 * {@code webSocket} → a public {@code sendRawFrame}), with the kill switch, with an extension, and
 * on a session that is not Tyrus's. The real Tyrus is {@code FastPathWireTest}'s.
 */
public class ConnectionFastPathTest {

    private static final ScheduledExecutorService TIMERS =
            Executors.newSingleThreadScheduledExecutor(dev.switchboard.ops.DaemonThreads.named("test-timers"));

    @AfterAll
    static void stopTimers() {
        TIMERS.shutdownNow();
    }

    /** Tyrus 2.1.4+'s {@code TyrusWebSocket}, as far as the fast path looks: frames kept, written when the test says. */
    public static final class Socket {
        final List<ByteBuffer> frames = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> futures = new CopyOnWriteArrayList<>();

        public CompletableFuture<Void> sendRawFrame(ByteBuffer frame) {
            frames.add(frame);
            CompletableFuture<Void> written = new CompletableFuture<>();
            futures.add(written);
            return written;
        }
    }

    /** Tyrus's {@code TyrusRemoteEndpoint}: the socket in a field, and the Jakarta API's sends recorded. */
    static final class Remote {
        final Socket webSocket;
        final List<Object> jakartaSends = new CopyOnWriteArrayList<>();
        final RemoteEndpoint.Async api;

        Remote(Socket webSocket) {
            this.webSocket = webSocket;
            this.api = (RemoteEndpoint.Async) java.lang.reflect.Proxy.newProxyInstance(RemoteEndpoint.Async.class.getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (self, method, args) -> {
                        if (method.getName().equals("sendText") || method.getName().equals("sendBinary")) {
                            jakartaSends.add(args[0]);
                            ((SendHandler) args[1]).onResult(new jakarta.websocket.SendResult());
                        }
                        return null;
                    });
        }
    }

    /** Tyrus's {@code TyrusSession}, as far as a connection and the fast path look. */
    static final class TyrusShapedSession implements Session {
        final Remote asyncRemote;
        final List<Extension> extensions;
        final Map<Class<?>, MessageHandler> handlers = new HashMap<>();

        TyrusShapedSession(List<Extension> extensions) {
            this.asyncRemote = new Remote(new Socket());
            this.extensions = extensions;
        }

        @SuppressWarnings("unchecked")
        <T> void receive(Class<T> type, T message) {
            ((MessageHandler.Whole<T>) handlers.get(type)).onMessage(message);
        }

        @Override public WebSocketContainer getContainer() { return null; }
        @Override public void addMessageHandler(MessageHandler handler) { }
        @Override public <T> void addMessageHandler(Class<T> type, MessageHandler.Whole<T> handler) { handlers.put(type, handler); }
        @Override public <T> void addMessageHandler(Class<T> type, MessageHandler.Partial<T> handler) { handlers.put(type, handler); }
        @Override public Set<MessageHandler> getMessageHandlers() { return Set.copyOf(handlers.values()); }
        @Override public void removeMessageHandler(MessageHandler handler) { }
        @Override public String getProtocolVersion() { return "13"; }
        @Override public String getNegotiatedSubprotocol() { return ""; }
        @Override public List<Extension> getNegotiatedExtensions() { return extensions; }
        @Override public boolean isSecure() { return false; }
        @Override public boolean isOpen() { return true; }
        @Override public long getMaxIdleTimeout() { return -1; }
        @Override public void setMaxIdleTimeout(long milliseconds) { }
        @Override public void setMaxBinaryMessageBufferSize(int length) { }
        @Override public int getMaxBinaryMessageBufferSize() { return 0; }
        @Override public void setMaxTextMessageBufferSize(int length) { }
        @Override public int getMaxTextMessageBufferSize() { return 0; }
        @Override public RemoteEndpoint.Async getAsyncRemote() { return asyncRemote.api; }
        @Override public RemoteEndpoint.Basic getBasicRemote() { return null; }
        @Override public String getId() { return "tyrus-shaped"; }
        @Override public void close() { }
        @Override public void close(CloseReason reason) { }
        @Override public URI getRequestURI() { return URI.create("/echo"); }
        @Override public Map<String, List<String>> getRequestParameterMap() { return Map.of(); }
        @Override public String getQueryString() { return null; }
        @Override public Map<String, String> getPathParameters() { return Map.of(); }
        @Override public Map<String, Object> getUserProperties() { return new HashMap<>(); }
        @Override public Principal getUserPrincipal() { return null; }
        @Override public Set<Session> getOpenSessions() { return Set.of(); }
    }

    private static Connection connection(Session session, boolean fastPath, SwitchboardMetrics metrics) {
        return new Connection(session, metrics.endpoint("test"), new ConnectionLimits(1 << 16, 1 << 20, Duration.ofSeconds(3), fastPath),
                TIMERS);
    }

    private static double count(SwitchboardMetrics metrics, String name) {
        io.micrometer.core.instrument.Counter counter = metrics.registry().find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aTyrusSessionGetsFramesSwitchboardBuiltAndTheQueueFollowsTheirWrites() {
        TyrusShapedSession session = new TyrusShapedSession(List.of());
        SwitchboardMetrics metrics = new SwitchboardMetrics();
        Connection connection = connection(session, true, metrics);
        assertTrue(connection.fastPath());
        connection.sendText("héllo");
        Socket socket = session.asyncRemote.webSocket;
        assertEquals(List.of(ServerFrames.frame(ServerFrames.TEXT, "héllo".getBytes(StandardCharsets.UTF_8))), socket.frames);
        assertEquals(List.of(), session.asyncRemote.jakartaSends);
        assertEquals(6, connection.queuedBytes(), "queued until the container has written it");
        socket.futures.get(0).complete(null);
        assertEquals(0, connection.queuedBytes());
        connection.sendText("x\ud800");
        assertEquals(1, socket.frames.size(), "a lone surrogate is refused on the fast path too");
    }

    @Test
    void anEchoSendsTheBytesItReceivedAsItsFrame() {
        TyrusShapedSession session = new TyrusShapedSession(List.of());
        SwitchboardMetrics metrics = new SwitchboardMetrics();
        Connection connection = connection(session, true, metrics);
        List<byte[]> seen = new CopyOnWriteArrayList<>();
        connection.onTextWithBytes((text, utf8) -> {
            seen.add(utf8);
            connection.sendText(text, utf8);
        });
        session.receive(String.class, "日本 \ud83d\ude00");
        byte[] utf8 = "日本 \ud83d\ude00".getBytes(StandardCharsets.UTF_8);
        assertEquals(1, seen.size());
        assertEquals(ByteBuffer.wrap(utf8), ByteBuffer.wrap(seen.get(0)));
        assertEquals(List.of(ServerFrames.frame(ServerFrames.TEXT, utf8)), session.asyncRemote.webSocket.frames);
        session.asyncRemote.webSocket.futures.get(0).complete(null);
        assertEquals(utf8.length, count(metrics, "switchboard.bytes.received"), "counted in UTF-8 bytes");
        assertEquals(utf8.length, count(metrics, "switchboard.bytes.sent"));
    }

    @Test
    void theKillSwitchSendsThroughTheJakartaApi() {
        TyrusShapedSession session = new TyrusShapedSession(List.of());
        Connection connection = connection(session, false, new SwitchboardMetrics());
        assertFalse(connection.fastPath());
        connection.sendText("hello");
        connection.sendText("again", "again".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("hello", "again"), session.asyncRemote.jakartaSends);
        assertEquals(List.of(), session.asyncRemote.webSocket.frames);
        assertEquals(0, connection.queuedBytes());
    }

    @Test
    void aSessionWithAnExtensionSendsThroughTheJakartaApi() {
        Extension deflate = new Extension() {
            @Override
            public String getName() {
                return "permessage-deflate";
            }

            @Override
            public List<Parameter> getParameters() {
                return List.of();
            }
        };
        TyrusShapedSession session = new TyrusShapedSession(List.of(deflate));
        Connection connection = connection(session, true, new SwitchboardMetrics());
        assertFalse(connection.fastPath());
        connection.sendText("hello");
        assertEquals(List.of("hello"), session.asyncRemote.jakartaSends);
    }

    @Test
    void aSessionThatIsNotTyrusSendsThroughTheJakartaApi() {
        List<Object> sends = new CopyOnWriteArrayList<>();
        RemoteEndpoint.Async remote = (RemoteEndpoint.Async) java.lang.reflect.Proxy.newProxyInstance(
                RemoteEndpoint.Async.class.getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class}, (self, method, args) -> {
                    if (method.getName().equals("sendText")) {
                        sends.add(args[0]);
                    }
                    return null;
                });
        Session session = (Session) java.lang.reflect.Proxy.newProxyInstance(Session.class.getClassLoader(),
                new Class<?>[] {Session.class}, (self, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> remote;
                    case "getUserProperties" -> new HashMap<String, Object>();
                    case "getNegotiatedExtensions" -> List.of();
                    case "getId" -> "not-tyrus";
                    default -> null;
                });
        Connection connection = connection(session, true, new SwitchboardMetrics());
        assertFalse(connection.fastPath());
        connection.sendText("hello");
        assertEquals(List.of("hello"), sends);
    }
}
