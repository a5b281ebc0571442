package dev.switchboard.connection;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A close the server starts ends the TCP connection within a bounded time even when the peer never
 * reads a byte (RFC 6455 §7.1.1: the server closes the TCP connection; a close handshake that
 * does not finish is cut short), and what was queued for that peer is let go.
 */
class CloseTeardownTest {

    /** The close handshake's grace plus room for a loaded machine. */
    private static final Duration BOUND = Connection.CLOSE_GRACE.plusSeconds(5);
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("send-queue-bytes", "256KiB"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void slowConsumerClosedWith1013LosesItsSocketAndItsQueueWithinTheBound() throws Exception {
        double before = server.metric("switchboard_slow_consumer_closes_total{endpoint=\"echo\"}");
        try (FrameClient deaf = FrameClient.connect(server.port(), "/echo", 4096)) {
            AtomicReference<Connection> open = new AtomicReference<>();
            Await.until("the connection to be registered", () -> {
                server.server().application().connections().forEach(open::set);
                return open.get() != null;
            });
            Connection connection = open.get();
            byte[] chunk = new byte[32 * 1024];
            try {
                for (int i = 0; i < 2_000 && server.metric("switchboard_slow_consumer_closes_total{endpoint=\"echo\"}") == before; i++) {
                    deaf.send(FrameClient.frame(0x80 | FrameClient.BINARY, true, chunk)); // echoes pile up unread
                }
            } catch (IOException cutOff) {
                // the server is gone already
            }
            Await.until("the slow consumer to be closed with 1013",
                    () -> server.metricNow("switchboard_slow_consumer_closes_total{endpoint=\"echo\"}") == before + 1);
            assertEquals(0, server.server().application().connections().count());
            int localPort = localPort(deaf);
            Await.until("the server's side of the socket to be closed", BOUND,
                    () -> !serverSideEstablished(server.port(), localPort));
            Await.until("the queued bytes to be dropped", BOUND, () -> connection.queuedBytes() == 0);
            deaf.soTimeout((int) BOUND.toMillis());
            assertTrue(deaf.drainToEnd() >= 0, "the client reads the end of the connection");
        }
    }

    @Test
    void anyCloseTheServerStartsEndsTheSocketOfAPeerThatStoppedReading() throws Exception {
        try (FrameClient deaf = FrameClient.connect(server.port(), "/echo", 4096)) {
            AtomicReference<Connection> open = new AtomicReference<>();
            Await.until("the connection to be registered", () -> {
                server.server().application().connections().forEach(open::set);
                return open.get() != null;
            });
            Connection connection = open.get();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[16 * 1024];
                try {
                    for (int i = 0; i < 2_000 && connection.queuedBytes() < 160 * 1024; i++) {
                        deaf.send(FrameClient.frame(0x80 | FrameClient.BINARY, true, chunk)); // under the 1013 bound
                    }
                } catch (IOException closed) {
                    // the socket was closed under the writer
                }
            }, "deaf-writer");
            writer.setDaemon(true);
            writer.start();
            Await.until("echoes to wait for the peer", () -> connection.queuedBytes() >= 160 * 1024);
            connection.close(1001, "idle timeout"); // as KeepAlive (and shutdown) do
            int localPort = localPort(deaf);
            Await.until("the server's side of the socket to be closed", BOUND,
                    () -> !serverSideEstablished(server.port(), localPort));
            Await.until("the queued bytes to be dropped", BOUND, () -> connection.queuedBytes() == 0);
        }
    }

    private static int localPort(FrameClient client) {
        return client.localPort();
    }

    /** Whether the kernel still has the server's end of 127.0.0.1:serverPort ↔ clientPort ESTABLISHED (Linux /proc). */
    private static boolean serverSideEstablished(int serverPort, int clientPort) {
        String local = String.format(":%04X", serverPort);
        String remote = String.format(":%04X", clientPort);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[1].endsWith(local) && f[2].endsWith(remote) && f[3].equals("01")) {
                        return true;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return false;
    }
}
