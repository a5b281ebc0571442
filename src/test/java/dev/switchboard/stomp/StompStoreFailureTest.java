package dev.switchboard.stomp;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disk fills while the server runs (the journal's next files lead to /dev/full, where every
 * write fails with "No space left on device"): a persistent SEND gets an ERROR naming the problem,
 * health turns DOWN, other traffic goes on, and every message receipted before is there after a
 * restart.
 */
class StompStoreFailureTest {

    private static final String BODY = "x".repeat(2_000);

    @Test
    void aFullDiskRefusesPersistentSendsNamingItTurnsHealthDownAndLosesNothingReceipted() throws Exception {
        Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "no /dev/full here");
        Path data = Files.createTempDirectory("switchboard-full");
        Map<String, String> keys = Map.of("data-dir", data.toString(), "stomp.store.file-bytes", "64KiB",
                "rate.messages-per-second", "100000", "rate.burst", "100000");
        Set<String> receipted = new HashSet<>();
        try {
            try (RunningServer server = RunningServer.start(keys)) {
                assertEquals(1, server.metric("switchboard_stomp_store_up"));
                List<Path> blockers = fillTheDisk(data.resolve("stomp"));
                String error = null;
                try (WsClient sender = connect(server)) {
                    for (int i = 0; i < 2_000 && error == null; i++) {
                        sender.sendText("SEND\ndestination:/queue/kept\npersistent:true\nreceipt:" + i + "\n\n" + i + BODY + "\0");
                        String answer = sender.nextText();
                        if (answer.startsWith("RECEIPT")) {
                            receipted.add(Integer.toString(i));
                        } else {
                            error = answer;
                        }
                    }
                    assertNotNull(error, "the store failed within 2,000 messages of 2 KB in 64 KiB files");
                    assertTrue(error.startsWith("ERROR"), error);
                    assertTrue(error.contains("the message store failed") && error.contains("No space left on device"), error);
                    assertEquals(1011, sender.awaitClose().code());
                }
                assertTrue(receipted.size() > 10, "some were stored before: " + receipted.size());
                var health = server.get("health");
                assertEquals(503, health.statusCode());
                assertTrue(health.body().contains("STOMP store failed"), health.body());
                JsonObject store = Json.createReader(new StringReader(server.get("stomp-stats").body())).readObject()
                        .getJsonObject("store");
                assertEquals("DOWN", store.getString("state"));
                assertTrue(store.getString("problem").contains("No space left on device"));
                assertTrue(server.metric("switchboard_errors_total{code=\"store-failed\",endpoint=\"stomp\"}") >= 1);
                assertEquals(0, server.metric("switchboard_stomp_store_up"));
                assertTrue(server.metric("switchboard_stomp_persistent_messages") >= receipted.size());
                try (WsClient other = connect(server)) { // what needs no disk goes on
                    other.sendText("SUBSCRIBE\nid:t\ndestination:/topic/live\n\n\0SEND\ndestination:/topic/live\n\nstill here\0");
                    assertTrue(other.nextText().contains("still here"));
                }
                for (Path blocker : blockers) {
                    Files.delete(blocker);
                }
            }
            try (RunningServer restarted = RunningServer.start(keys); WsClient reader = connect(restarted)) {
                reader.sendText("SUBSCRIBE\nid:s\ndestination:/queue/kept\n\n\0");
                Set<String> got = new HashSet<>();
                while (got.size() < receipted.size()) {
                    String message = reader.nextText();
                    String body = message.substring(message.indexOf("\n\n") + 2);
                    got.add(body.substring(0, body.indexOf('x')));
                }
                assertTrue(got.containsAll(receipted), "every receipted message is kept");
            }
        } finally {
            RunningServer.deleteTree(data);
        }
    }

    /** The names of the journal's next files lead to /dev/full. */
    private static List<Path> fillTheDisk(Path store) throws Exception {
        List<Path> blockers = new ArrayList<>();
        for (int n = 1; n <= 200; n++) {
            Path file = store.resolve("switchboard-" + n + ".jrn");
            if (!Files.exists(file)) {
                blockers.add(Files.createSymbolicLink(store.resolve(file.getFileName() + ".tmp"), Path.of("/dev/full")));
            }
        }
        return blockers;
    }

    private static WsClient connect(RunningServer server) throws InterruptedException {
        WsClient ws = WsClient.connect(server.ws("stomp"));
        ws.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0");
        assertTrue(ws.nextText().startsWith("CONNECTED"));
        return ws;
    }
}
