package dev.switchboard.bench;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The persistent STOMP scenarios' frames and counting, and a tiny run of each against an
 * in-process Switchboard: receipts counted, nothing lost, every ACK receipted. Speed is never
 * asserted; Artemis is never started here.
 */
class PersistentLoadTest {

    private static RunningServer server;
    private static LoadClient client;
    private static PersistentLoad load;
    private static String base;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "100000", "rate.burst", "100000"));
        client = new LoadClient();
        load = new PersistentLoad(client);
        base = "ws://127.0.0.1:" + server.port() + "/";
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void aSendIsPersistentWithItsSequenceAsReceiptAndBodyOf200Bytes() {
        String frame = PersistentLoad.sendFrame("q-1", 42, "x".repeat(300));
        assertEquals("/queue/q-1", PersistentLoad.header(frame, "destination"));
        assertEquals("true", PersistentLoad.header(frame, "persistent"));
        assertEquals("42", PersistentLoad.header(frame, "receipt"));
        assertEquals(42, PersistentLoad.bodySequence(frame));
        String body = frame.substring(frame.indexOf("\n\n") + 2, frame.length() - 1);
        assertEquals(PersistentLoad.BODY_BYTES, body.length());
        assertTrue(frame.endsWith("\0"));
    }

    @Test
    void headersAreReadFromTheHeaderBlockOnly() {
        String frame = "MESSAGE\nsubscription:3\nack:a-1\n\n7:receipt-id:9\0";
        assertEquals("3", PersistentLoad.header(frame, "subscription"));
        assertEquals("a-1", PersistentLoad.header(frame, "ack"));
        assertNull(PersistentLoad.header(frame, "receipt-id"));
        assertEquals(7, PersistentLoad.bodySequence(frame));
        assertEquals(-1, PersistentLoad.bodySequence("RECEIPT\nreceipt-id:1\n\n\0"));
    }

    @Test
    void producersGetEveryReceiptAndTheDrainFindsEveryMessage() throws Exception {
        PersistentLoad.Sent sent = load.send(base, "t-send", 2, 4, 0, Duration.ofMillis(100), Duration.ofMillis(300));
        assertTrue(sent.receiptsInWindow() > 0, sent.toString());
        assertEquals(0, sent.errors());
        PersistentLoad.Drained drained = load.drain(base, sent.queues(), sent.receiptsByQueue(), System.nanoTime(),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
        assertEquals(0, drained.missing(), drained.toString());
        assertEquals(0, drained.duplicated(), drained.toString());
        assertEquals(sent.total(), drained.received(), drained.toString());
    }

    @Test
    void aFillSendsExactlyItsCountAndConsumersAckEveryMessageWithAReceipt() throws Exception {
        PersistentLoad.Sent fill = load.send(base, "t-ack", 1, 16, 300, Duration.ZERO, Duration.ofSeconds(30));
        assertEquals(300, fill.total());
        Results acked = load.consumeAndAck(base, "ack", "switchboard", fill.queues().get(0), 300, 2, Duration.ofSeconds(30));
        assertEquals(0.0, acked.values().get("lost"), acked.toString());
        assertEquals(0.0, acked.values().get("errors"), acked.toString());
        assertTrue(acked.values().get("acks/s") > 0, acked.toString());
    }

    @Test
    void theFsyncProbeCountsSyncsAndLeavesNoFile(@TempDir Path dir) throws Exception {
        assertTrue(FsyncProbe.fsyncsPerSecond(dir, Duration.ofMillis(200)) > 0);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void serversTakeTurnsInReverseOnEveryOtherRunAndSwitchboardGetsItsStoreKeys() {
        assertEquals(List.of("a", "b", "c"), Persistence.inTurn(List.of("a", "b", "c"), 0));
        assertEquals(List.of("c", "b", "a"), Persistence.inTurn(List.of("a", "b", "c"), 1));
        List<String> keys = Persistence.switchboardStoreOptions(Path.of("/d"), "batch");
        assertTrue(keys.contains("-Dswitchboard.data-dir=/d"), keys.toString());
        assertTrue(keys.contains("-Dswitchboard.stomp.store.sync=batch"), keys.toString());
    }
}
