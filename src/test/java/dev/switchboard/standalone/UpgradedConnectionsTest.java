package dev.switchboard.standalone;

import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once Tyrus has upgraded a connection its reads skip Grizzly's HTTP codec ({@link UpgradedConnections}):
 * nothing sent right behind the handshake may be lost or reordered, the frame guard still answers,
 * and an idle WebSocket no longer carries the HTTP request around.
 */
class UpgradedConnectionsTest {

    private static final int LIMIT = 2 * 1024 * 1024;
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("max-message-bytes", "2MiB", "rate.messages-per-second", "1000000",
                "send-queue-bytes", "64MiB", "max-connections", "5000", "images.history", "0"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void thousandsOfTextAndBinaryMessagesWrittenRightAfterTheHandshakeComeBackCompleteAndInOrder() throws Exception {
        burstsBehindFreshHandshakes(server.port());
    }

    @Test
    void theSameHoldsWhenTheSelectorThreadRunsTheReads() throws Exception {
        try (RunningServer sameThread = RunningServer.start(Map.of("standalone.io-strategy", "same-thread",
                "rate.messages-per-second", "1000000"))) {
            burstsBehindFreshHandshakes(sameThread.port());
        }
    }

    @Test
    void theSameHoldsOverTls(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "switchboard", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String keytoolOutput = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, keytoolOutput);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trusted.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        try (RunningServer secure = RunningServer.start(Map.of("tls.keystore", keystore.toString(),
                "tls.keystore-password", "changeit", "rate.messages-per-second", "1000000"))) {
            burstsBehindFreshHandshakes(secure.port(), () -> tls.getSocketFactory().createSocket("127.0.0.1", secure.port()));
        }
    }

    private static void burstsBehindFreshHandshakes(int port) throws Exception {
        burstsBehindFreshHandshakes(port, () -> new Socket("127.0.0.1", port));
    }

    /** Opens a client socket (plain or TLS) to the server under test. */
    @FunctionalInterface
    private interface SocketOpener {
        Socket open() throws IOException;
    }

    /** 40 fresh connections, each writing 100 messages of up to 3,000 bytes in one write straight behind its 101. */
    private static void burstsBehindFreshHandshakes(int port, SocketOpener opener) throws Exception {
        for (int connection = 0; connection < 40; connection++) {
            try (Raw socket = Raw.connect(opener.open(), port, "/echo")) {
                List<byte[]> sent = new ArrayList<>();
                ByteArrayOutputStream burst = new ByteArrayOutputStream();
                for (int i = 0; i < 100; i++) {
                    byte[] payload = payload(connection, i, (i * 37) % 3000);
                    sent.add(payload);
                    burst.writeBytes(maskedFrame(i % 2 == 0 ? RawWebSocket.TEXT : RawWebSocket.BINARY, payload));
                }
                socket.out.write(burst.toByteArray());
                socket.out.flush();
                for (int i = 0; i < sent.size(); i++) {
                    RawWebSocket.Frame echo = socket.readFrame();
                    assertEquals(i % 2 == 0 ? RawWebSocket.TEXT : RawWebSocket.BINARY, echo.opcode(), "message " + i);
                    assertArrayEquals(sent.get(i), echo.payload(), "connection " + connection + ", message " + i);
                }
            }
        }
    }

    @Test
    void aLongBurstOnOneFreshConnectionComesBackInOrder() throws Exception {
        try (Raw socket = Raw.connect(server.port(), "/echo")) {
            int count = 5000;
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                Future<?> written = writer.submit(() -> {
                    java.io.BufferedOutputStream out = new java.io.BufferedOutputStream(socket.out, 64 * 1024);
                    for (int i = 0; i < count; i++) {
                        out.write(maskedFrame(i % 3 == 0 ? RawWebSocket.BINARY : RawWebSocket.TEXT, payload(7, i, i % 200)));
                    }
                    out.flush();
                    return null;
                });
                for (int i = 0; i < count; i++) {
                    assertArrayEquals(payload(7, i, i % 200), socket.readFrame().payload(), "message " + i);
                }
                written.get(30, TimeUnit.SECONDS);
            } finally {
                writer.shutdownNow();
            }
        }
    }

    @Test
    void oneMegabyteBinaryMessagesRightAfterTheHandshakeComeBackWhole() throws Exception {
        try (Raw socket = Raw.connect(server.port(), "/echo")) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                byte[] payload = new byte[(1 << 20) + i * 4099];
                new Random(i).nextBytes(payload);
                sent.add(payload);
            }
            CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
                try {
                    for (byte[] payload : sent) {
                        socket.out.write(maskedFrame(RawWebSocket.BINARY, payload));
                    }
                    socket.out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), socket.readFrame().payload(), "message " + i);
            }
            written.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void framesWrittenInTheSameWriteAsTheHandshakeRequestAreNotLost() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(handshake(server.port(), "/echo").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 20; i++) {
                request.writeBytes(maskedFrame(RawWebSocket.TEXT, payload(3, i, 50)));
            }
            socket.getOutputStream().write(request.toByteArray());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertTrue(RawWebSocket.readHead(in).startsWith("HTTP/1.1 101"));
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(payload(3, i, 50), RawWebSocket.readFrame(in).payload(), "message " + i);
            }
        }
    }

    @Test
    void aWebSocketUpgradedAfterAnHttpRequestOnTheSameConnectionKeepsItsMessages() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = RawWebSocket.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            assertTrue(length.find(), head);
            in.readFully(new byte[Integer.parseInt(length.group(1))]);
            out.write(handshake(server.port(), "/echo").getBytes(StandardCharsets.US_ASCII));
            assertTrue(RawWebSocket.readHead(in).startsWith("HTTP/1.1 101"));
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                burst.writeBytes(maskedFrame(RawWebSocket.TEXT, payload(5, i, 300)));
            }
            out.write(burst.toByteArray());
            for (int i = 0; i < 500; i++) {
                assertArrayEquals(payload(5, i, 300), RawWebSocket.readFrame(in).payload(), "message " + i);
            }
        }
    }

    @Test
    void oneMegabyteImagesSentRightAfterJoiningReachTheRoomWholeAndInOrder() throws Exception {
        String room = "images/upgraded-" + System.nanoTime();
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(TestImages.noisyPng((1 << 20) + i * 30_000));
        }
        try (WsClient member = WsClient.connect(server.ws(room))) {
            assertEquals("welcome", json(member.nextText()).getString("type"));
            try (WsClient sender = WsClient.connect(server.ws(room))) {
                images.forEach(sender::sendBinary); // before even reading the welcome
                assertEquals("welcome", json(sender.nextText()).getString("type"));
                for (byte[] image : images) {
                    JsonObject ack = json(sender.nextText());
                    assertEquals("ack", ack.getString("type"), ack.toString());
                    assertEquals(image.length, ack.getInt("bytes"));
                }
                for (byte[] image : images) {
                    JsonObject description = json(member.nextText());
                    assertEquals("image", description.getString("type"));
                    assertEquals(image.length, description.getInt("bytes"));
                    WsClient.Message bytes = member.next();
                    assertFalse(bytes.isText());
                    assertArrayEquals(image, bytes.binary());
                }
            }
        }
    }

    @Test
    void anOversizeFrameBehindWholeMessagesIsClosedWith1009AfterThoseAreAnswered() throws Exception {
        try (Raw socket = Raw.connect(server.port(), "/echo")) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 3; i++) {
                burst.writeBytes(maskedFrame(RawWebSocket.TEXT, payload(9, i, 20)));
            }
            // only the header of a frame one byte over the limit, and a little of its payload
            burst.write(0x80 | RawWebSocket.BINARY);
            burst.write(0x80 | 127);
            burst.writeBytes(ByteBuffer.allocate(8).putLong(LIMIT + 1L).array());
            burst.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            socket.out.write(burst.toByteArray());
            socket.out.flush();
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(payload(9, i, 20), socket.readFrame().payload(), "message " + i);
            }
            assertEquals(1009, socket.awaitCloseCode());
        }
    }

    /**
     * A coarse guard, not a benchmark: with Grizzly's HTTP request state still attached an idle
     * WebSocket cost ~16 KiB of heap; without it ~6. The client's own sockets are in this heap too.
     */
    @Test
    void anIdleWebSocketHoldsLessThanTenKibibytesOfHeap() throws Exception {
        int count = 2000;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        byte[] request = handshake(server.port(), "/echo").getBytes(StandardCharsets.US_ASCII);
        List<SocketChannel> sockets = new ArrayList<>(count);
        try {
            openIdle(sockets, 100, request); // warm up: classes, pools, the first session's one-offs
            long before = liveHeap(memory);
            openIdle(sockets, count, request);
            long after = liveHeap(memory);
            double kibPerConnection = (after - before) / 1024.0 / count;
            assertTrue(kibPerConnection < 10, "heap per idle WebSocket: " + kibPerConnection + " KiB");
        } finally {
            for (SocketChannel socket : sockets) {
                socket.close();
            }
        }
    }

    private static void openIdle(List<SocketChannel> sockets, int count, byte[] request) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4096);
        for (int i = 0; i < count; i++) {
            SocketChannel socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            sockets.add(socket);
            socket.write(ByteBuffer.wrap(request));
            head.clear();
            while (!endsHead(head)) {
                if (socket.read(head) < 0) {
                    throw new IOException("closed during the handshake");
                }
            }
            assertTrue(new String(head.array(), 0, 12, StandardCharsets.US_ASCII).equals("HTTP/1.1 101"));
        }
    }

    private static boolean endsHead(ByteBuffer head) {
        int n = head.position();
        return n >= 4 && head.get(n - 4) == '\r' && head.get(n - 3) == '\n' && head.get(n - 2) == '\r' && head.get(n - 1) == '\n';
    }

    private static long liveHeap(MemoryMXBean memory) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // the least of a few full collections: what is reachable
            memory.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** Distinct, checkable bytes (valid UTF-8, so they serve as text too). */
    private static byte[] payload(int connection, int index, int length) {
        byte[] bytes = new byte[length];
        String tag = connection + ":" + index + ":";
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i < tag.length() ? tag.charAt(i) : 'a' + (index + i) % 26);
        }
        return bytes;
    }

    private static String handshake(int port, String path) {
        byte[] key = new byte[16];
        new Random().nextBytes(key);
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
    }

    /** A client socket after its 101, whose raw output the tests write frames to as they like. */
    private record Raw(Socket socket, DataInputStream in, OutputStream out) implements AutoCloseable {
        static Raw connect(int port, String path) throws IOException {
            return connect(new Socket("127.0.0.1", port), port, path);
        }

        static Raw connect(Socket socket, int port, String path) throws IOException {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(handshake(port, path).getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String head = RawWebSocket.readHead(in);
            if (!head.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new IOException("handshake refused: " + head);
            }
            return new Raw(socket, in, out);
        }

        RawWebSocket.Frame readFrame() throws IOException {
            return RawWebSocket.readFrame(in);
        }

        int awaitCloseCode() throws IOException {
            while (true) {
                RawWebSocket.Frame frame = readFrame();
                if (frame.opcode() == RawWebSocket.CLOSE) {
                    return frame.closeCode();
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** One masked, unfragmented client frame (RFC 6455 §5.2). */
    static byte[] maskedFrame(int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        int length = payload.length;
        if (length <= 125) {
            frame.write(0x80 | length);
        } else if (length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(length >>> 8);
            frame.write(length);
        } else {
            frame.write(0x80 | 127);
            frame.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        frame.writeBytes(mask);
        byte[] masked = Arrays.copyOf(payload, length);
        for (int i = 0; i < length; i++) {
            masked[i] ^= mask[i & 3];
        }
        frame.writeBytes(masked);
        return frame.toByteArray();
    }
}
