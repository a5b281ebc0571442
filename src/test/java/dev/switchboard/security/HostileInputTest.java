package dev.switchboard.security;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.ProcessResources;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile clients: floods of tiny frames, oversized handshake headers, half-open and slowloris
 * connections, a client that never reads. Each time the server answers others meanwhile, and
 * afterwards holds no more threads, sockets or heap than before.
 */
class HostileInputTest {

    private static RunningServer server;
    private long heapBefore;
    private long threadsBefore;
    private long filesBefore;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(Map.of("send-queue-bytes", "256KiB", "idle-timeout", "2s", "keepalive-interval", "1s"));
        // Tyrus starts its scheduler's threads (ten at most) one per task as close handshakes come:
        // let it reach that size before any test counts threads.
        for (int i = 0; i < 20; i++) {
            stillResponsive();
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void baseline() throws Exception {
        stillResponsive();
        heapBefore = ProcessResources.usedHeapAfterGc();
        threadsBefore = ProcessResources.serverThreads();
        filesBefore = ProcessResources.openFiles();
    }

    @AfterEach
    void backToBaseline() {
        Await.until("connections to be released", Duration.ofSeconds(15),
                () -> server.server().application().connections().count() == 0);
        Await.until("sockets to be closed", Duration.ofSeconds(15), () -> ProcessResources.openFiles() <= filesBefore + 8);
        long threads = ProcessResources.serverThreads();
        assertTrue(threads <= threadsBefore + 8, "threads " + threadsBefore + " -> " + threads);
        long growth = ProcessResources.usedHeapAfterGc() - heapBefore;
        assertTrue(growth < 32L * 1024 * 1024, "heap grew by " + growth / 1024 + " KiB");
    }

    private static void stillResponsive() throws Exception {
        assertEquals(200, server.get("health").statusCode());
        try (WsClient probe = WsClient.connect(server.ws("echo"))) {
            assertEquals("still here", probe.sendText("still here").nextText());
        }
    }

    @Test
    void hundredThousandTinyFramesAreAllAnsweredInOrder() throws Exception {
        int count = 100_000;
        try (RawWebSocket flood = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            CompletableFuture<Integer> echoed = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                try {
                    while (n < count) {
                        RawWebSocket.Frame frame = flood.readFrame();
                        if (frame.opcode() == RawWebSocket.TEXT) {
                            n++;
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("after " + n + " replies", e);
                }
                return n;
            });
            flood.sendFrames(RawWebSocket.TEXT, new byte[] {'x'}, count);
            stillResponsive(); // others are served while the flood is in flight
            assertEquals(count, echoed.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void oversizedAndNumerousHandshakeHeadersAreRefused() throws Exception {
        for (String headers : List.of("X-Big: " + "a".repeat(64 * 1024) + "\r\n", "X-H: v\r\n".repeat(5000))) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + headers + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = statusLine(socket.getInputStream());
                assertTrue(status.isEmpty() || status.matches("HTTP/1\\.1 4\\d\\d.*"), "refused, not upgraded: " + status);
            } catch (IOException reset) {
                // the server may just drop such a request: also a refusal
            }
            stillResponsive();
        }
    }

    @Test
    void halfOpenConnectionsThatSendNothingCostNothingAndGo() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                idle.add(new Socket("127.0.0.1", server.port()));
            }
            stillResponsive();
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void slowlorisHandshakesDoNotHoldUpOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                socket.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                slow.add(socket);
            }
            // trickle one header byte per connection per round, interleaved with real work
            for (int round = 0; round < 10; round++) {
                for (Socket socket : slow) {
                    socket.getOutputStream().write('X');
                    socket.getOutputStream().flush();
                }
                stillResponsive();
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void clientThatNeverReadsIsClosedWith1013AndCountedWhileOthersGoOn() throws Exception {
        double before = server.metric("switchboard_slow_consumer_closes_total{endpoint=\"echo\"}");
        try (RawWebSocket deaf = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            byte[] chunk = new byte[32 * 1024];
            try {
                for (int i = 0; i < 2_000 && server.metric("switchboard_slow_consumer_closes_total{endpoint=\"echo\"}") == before; i++) {
                    deaf.sendFrame(RawWebSocket.BINARY, true, chunk); // echoes pile up: it never reads them
                }
            } catch (IOException closedOnUs) {
                // the server has cut it off
            }
            Await.until("the deaf client to be cut off", () ->
                    server.metricNow("switchboard_slow_consumer_closes_total{endpoint=\"echo\"}") == before + 1);
            stillResponsive();
        }
    }

    @Test
    void silentPeersAreLetGoByTheIdleTimeout() throws Exception {
        List<RawWebSocket> silent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            silent.add(RawWebSocket.connect("127.0.0.1", server.port(), "/echo"));
        }
        try {
            Await.until("every silent peer to be closed", Duration.ofSeconds(15),
                    () -> server.server().application().connections().count() == 0);
            stillResponsive();
        } finally {
            for (RawWebSocket socket : silent) {
                socket.close();
            }
        }
    }


    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().trim();
    }


}
