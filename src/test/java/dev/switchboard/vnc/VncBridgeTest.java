package dev.switchboard.vnc;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.ProcessResources;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.XvncServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code vnc/{target}} bridge against a real VNC server (TigerVNC's Xvnc). */
class VncBridgeTest {

    private static XvncServer xvnc;
    private static RunningServer server;
    private static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        xvnc = XvncServer.start();
        try (ServerSocket probe = new ServerSocket(0)) {
            deadPort = probe.getLocalPort(); // nothing listens here once closed
        }
        server = RunningServer.start(Map.of("vnc.targets", xvnc.target("desk") + ",down=127.0.0.1:" + deadPort,
                "vnc.connect-timeout", "3s"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            server.close();
        } finally {
            xvnc.close();
        }
    }

    /** An RFB client over the bridge: a byte stream made of the WebSocket's binary messages. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final class RfbOverWebSocket implements WebSocket.Listener, AutoCloseable {
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private int consumed;
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final WebSocket socket;

        RfbOverWebSocket(URI uri) {
            socket = HTTP.newWebSocketBuilder().subprotocols("binary").buildAsync(uri, this).join();
        }

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
            notifyAll();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            synchronized (this) {
                notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(1006);
        }

        synchronized byte[] read(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.size() - consumed < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.isDone()) {
                    throw new AssertionError("wanted " + n + " bytes, have " + (received.size() - consumed));
                }
                wait(Math.max(1, left / 1_000_000));
            }
            byte[] all = received.toByteArray();
            byte[] out = java.util.Arrays.copyOfRange(all, consumed, consumed + n);
            consumed += n;
            return out;
        }

        void write(byte... bytes) {
            socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
        }

        /** RFB 3.8 up to ServerInit; returns {width, height}. */
        int[] handshake() throws InterruptedException {
            assertEquals("RFB 003.008\n", new String(read(12), StandardCharsets.US_ASCII));
            write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            int types = read(1)[0];
            byte[] offered = read(types);
            assertTrue(new String(offered, StandardCharsets.ISO_8859_1).indexOf(1) >= 0, "security type None offered");
            write((byte) 1);
            assertEquals(0, ByteBuffer.wrap(read(4)).getInt(), "SecurityResult OK");
            write((byte) 1); // ClientInit, shared
            ByteBuffer init = ByteBuffer.wrap(read(24));
            int width = init.getShort(0) & 0xffff;
            int height = init.getShort(2) & 0xffff;
            int nameLength = init.getInt(20);
            read(nameLength);
            return new int[] {width, height};
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    @Test
    void rfbHandshakeThroughTheBridgeAndAFramebufferUpdate() throws Exception {
        try (RfbOverWebSocket rfb = new RfbOverWebSocket(server.ws("vnc/desk"))) {
            assertEquals("binary", rfb.socket.getSubprotocol());
            int[] size = rfb.handshake();
            assertEquals(XvncServer.WIDTH, size[0]);
            assertEquals(XvncServer.HEIGHT, size[1]);
            // FramebufferUpdateRequest, non-incremental, whole screen
            rfb.write((byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0,
                    (byte) (XvncServer.WIDTH >> 8), (byte) XvncServer.WIDTH, (byte) (XvncServer.HEIGHT >> 8), (byte) XvncServer.HEIGHT);
            byte[] header = rfb.read(4);
            assertEquals(0, header[0], "a FramebufferUpdate");
            assertTrue(((header[2] & 0xff) << 8 | (header[3] & 0xff)) >= 1, "with at least one rectangle");
        }
        assertTrue(server.metric("switchboard_vnc_bytes_total{direction=\"to-browser\",target=\"desk\"}") > 0);
        assertTrue(server.metric("switchboard_vnc_bytes_total{direction=\"to-server\",target=\"desk\"}") > 0);
    }

    @Test
    void unknownTargetIsClosedWith1008AfterTheHandshake() throws Exception {
        try (RfbOverWebSocket rfb = new RfbOverWebSocket(server.ws("vnc/nowhere"))) {
            assertEquals(1008, rfb.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void unreachableTargetIsClosedWith1011NamingTheTargetNotItsAddress() throws Exception {
        double failures = server.metric("switchboard_vnc_connect_failures_total{target=\"down\"}");
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/vnc/down")) {
            RawWebSocket.Frame close = raw.readFrame();
            assertEquals(RawWebSocket.CLOSE, close.opcode());
            assertEquals(1011, close.closeCode());
            String reason = new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8);
            assertTrue(reason.contains("'down'") && !reason.contains(String.valueOf(deadPort)) && !reason.contains("127.0.0.1"),
                    reason);
        }
        assertEquals(failures + 1, server.metric("switchboard_vnc_connect_failures_total{target=\"down\"}"));
    }

    @Test
    void vncServerGoingAwayClosesTheWebSocket() throws Exception {
        try (XvncServer doomed = XvncServer.start();
             RunningServer bridge = RunningServer.start(Map.of("vnc.targets", doomed.target("doomed")));
             RfbOverWebSocket rfb = new RfbOverWebSocket(bridge.ws("vnc/doomed"))) {
            rfb.handshake();
            doomed.kill();
            int code = rfb.closed.get(10, TimeUnit.SECONDS);
            assertTrue(code == 1000 || code == 1011, "closed with " + code);
        }
    }

    @Test
    void hundredOpenCloseCyclesLeakNoSocketsOrThreads() throws Exception {
        warmUp();
        long fdsBefore = ProcessResources.openFiles();
        long threadsBefore = ProcessResources.serverThreads();
        for (int i = 0; i < 100; i++) {
            try (RfbOverWebSocket rfb = new RfbOverWebSocket(server.ws("vnc/desk"))) {
                rfb.read(12); // the bridge is up: the server's version arrived
                assertTrue(!rfb.closed.isDone(), "cycle " + i + " closed early with " + rfb.closed.getNow(0));
                rfb.socket.sendClose(1000, "bye").join();
                rfb.closed.get(10, TimeUnit.SECONDS);
            }
        }
        Await.until("every bridge to be released", () -> server.server().application().vncGateway().sessions("desk") == 0);
        Await.until("sockets to be closed", Duration.ofSeconds(20), () -> ProcessResources.openFiles() <= fdsBefore + 10);
        long threadsAfter = ProcessResources.serverThreads();
        assertTrue(threadsAfter <= threadsBefore + 2, "server threads " + threadsBefore + " -> " + threadsAfter);
    }


    /**
     * Full open/close cycles before anything is counted: Tyrus starts the threads of its scheduler
     * (ten at most) one per task as close handshakes come, so a cold server grows without leaking.
     */
    private static void warmUp() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RfbOverWebSocket rfb = new RfbOverWebSocket(server.ws("vnc/desk"))) {
                rfb.read(12);
                rfb.socket.sendClose(1000, "bye").join();
                rfb.closed.get(10, TimeUnit.SECONDS);
            }
        }
        Await.until("the warm-up bridges to go", () -> server.server().application().vncGateway().sessions("desk") == 0);
    }

    @Test
    void browserThatStopsReadingPausesTheVncServerInsteadOfGrowingTheHeap() throws Exception {
        long heapBefore = ProcessResources.usedHeapAfterGc();
        try (RawWebSocket stalled = RawWebSocket.connect("127.0.0.1", server.port(), "/vnc/desk")) {
            // the RFB handshake, written blind, then 300 whole-screen update requests; nothing is ever read
            stalled.sendFrame(RawWebSocket.BINARY, true, "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            stalled.sendFrame(RawWebSocket.BINARY, true, new byte[] {1});
            stalled.sendFrame(RawWebSocket.BINARY, true, new byte[] {1});
            byte[] request = {3, 0, 0, 0, 0, 0, (byte) (XvncServer.WIDTH >> 8), (byte) XvncServer.WIDTH,
                    (byte) (XvncServer.HEIGHT >> 8), (byte) XvncServer.HEIGHT};
            for (int i = 0; i < 300; i++) {
                stalled.sendFrame(RawWebSocket.BINARY, true, request);
            }
            String relayed = "switchboard_vnc_bytes_total{direction=\"to-browser\",target=\"desk\"}";
            double[] last = {-1};
            long[] stableSince = {System.nanoTime()};
            Await.until("the relay to stall", Duration.ofSeconds(30), () -> {
                double now = server.metricNow(relayed);
                if (now != last[0]) {
                    last[0] = now;
                    stableSince[0] = System.nanoTime();
                }
                return System.nanoTime() - stableSince[0] > 1_000_000_000L;
            });
            long growth = ProcessResources.usedHeapAfterGc() - heapBefore;
            // 300 screens would be 92 MB; the relay stops after what the TCP buffers hold
            assertTrue(growth < 40L * 1024 * 1024, "heap grew by " + growth / 1024 + " KiB");
        }
    }



    @Test
    void targetListNamesOnlyNames() throws Exception {
        String body = server.get("vnc-targets").body();
        assertEquals("{\"targets\":[\"desk\",\"down\"]}", body);
    }
}
