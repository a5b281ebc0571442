package dev.switchboard.stomp;

import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client still sending the rest of an oversized STOMP frame gets the ERROR and the 1009 close,
 * every time: whether the frame spans many WebSocket messages (the STOMP decoder refuses it) or
 * comes as one message far over the endpoint's limit (the standalone frame guard refuses it at its
 * header, and sends STOMP's ERROR ahead of its close).
 */
class StompOversizeWhileSendingTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("stomp.max-frame-bytes", "64KiB", "rate.messages-per-second", "1000000",
                "rate.burst", "1000000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theErrorAndThe1009ArriveTwentyTimesInARow() throws Exception {
        int reset = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/stomp")) {
                raw.sendFrame(RawWebSocket.TEXT, true, "CONNECT\naccept-version:1.2\n\n\0".getBytes(StandardCharsets.UTF_8));
                assertTrue(new String(raw.readFrame().payload(), StandardCharsets.UTF_8).startsWith("CONNECTED"));
                raw.sendFrame(RawWebSocket.TEXT, true, "SEND\ndestination:/queue/big\n\n".getBytes(StandardCharsets.UTF_8));
                byte[] chunk = "x".repeat(16 * 1024).getBytes(StandardCharsets.UTF_8);
                AtomicBoolean sending = new AtomicBoolean(true);
                Thread sender = new Thread(() -> {
                    try {
                        for (int i = 0; sending.get() && i < 2000; i++) {
                            raw.sendFrame(RawWebSocket.TEXT, true, chunk); // the rest of the one STOMP frame
                        }
                    } catch (IOException stoppedByTheServer) {
                        // expected once the server has closed
                    }
                });
                sender.start();
                try {
                    RawWebSocket.Frame error = raw.readFrame();
                    assertEquals(RawWebSocket.TEXT, error.opcode());
                    assertTrue(new String(error.payload(), StandardCharsets.UTF_8).startsWith("ERROR\n"));
                    RawWebSocket.Frame close = raw.readFrame();
                    assertEquals(1009, close.closeCode(), "attempt " + attempt);
                } catch (IOException e) {
                    reset++;
                    System.out.println("attempt " + attempt + ": " + e);
                } finally {
                    sending.set(false);
                    sender.join();
                }
            }
        }
        assertEquals(0, reset, "every attempt got the ERROR and the close frame");
    }

    @Test
    void oneWebSocketMessageFarOverTheLimitGetsTheErrorAndThe1009Too() throws Exception {
        int failed = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/stomp")) {
                raw.sendFrame(RawWebSocket.TEXT, true, "CONNECT\naccept-version:1.2\n\n\0".getBytes(StandardCharsets.UTF_8));
                raw.readFrame();
                byte[] huge = ("SEND\ndestination:/queue/big\n\n" + "x".repeat(4 * 1024 * 1024) + "\0").getBytes(StandardCharsets.UTF_8);
                Thread sender = new Thread(() -> {
                    try {
                        raw.sendFrame(RawWebSocket.TEXT, true, huge);
                    } catch (IOException stoppedByTheServer) {
                        // expected
                    }
                });
                sender.start();
                try {
                    RawWebSocket.Frame first = raw.readFrame();
                    String text = new String(first.payload(), StandardCharsets.UTF_8);
                    RawWebSocket.Frame close = first.opcode() == RawWebSocket.TEXT ? raw.readFrame() : first;
                    if (first.opcode() != RawWebSocket.TEXT || !text.startsWith("ERROR\n") || !text.contains("message:")
                            || close.closeCode() != 1009) {
                        failed++;
                        System.out.println("attempt " + attempt + ": opcode " + first.opcode() + ", close " + close.closeCode());
                    }
                } catch (IOException e) {
                    failed++;
                    System.out.println("attempt " + attempt + ": " + e);
                } finally {
                    sender.join();
                }
            }
        }
        assertEquals(0, failed, "every attempt got the ERROR, then the 1009 close");
    }
}
