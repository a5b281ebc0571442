package dev.switchboard.stomp;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection's persistent SENDs do not wait for each other's force to disk (their writes start
 * as they arrive), yet everything keeps the order the client sent: RECEIPTs, the messages on the
 * queue, and the frames that had to wait behind them.
 */
class StompPersistentPipelineTest {

    @Test
    void receiptsAndMessagesKeepTheClientsOrderAcrossPersistentAndPlainSends() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("rate.messages-per-second", "100000", "rate.burst", "100000"));
             WsClient client = WsClient.connect(server.ws("stomp")); WsClient reader = WsClient.connect(server.ws("stomp"))) {
            client.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0");
            assertTrue(client.nextText().startsWith("CONNECTED"));
            StringBuilder frames = new StringBuilder();
            List<String> expectedBodies = new ArrayList<>();
            List<String> expectedReceipts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean persistent = i % 3 != 1;
                frames.append("SEND\ndestination:/queue/ordered\n").append(persistent ? "persistent:true\n" : "")
                        .append("receipt:r").append(i).append("\n\n").append("m").append(i).append('\0');
                expectedBodies.add("m" + i);
                expectedReceipts.add("r" + i);
                if (i == 100) {
                    frames.append("SUBSCRIBE\nid:mine\ndestination:/topic/elsewhere\nreceipt:sub\n\n\0");
                    expectedReceipts.add("sub");
                }
            }
            client.sendText(frames.toString());
            List<String> receipts = new ArrayList<>();
            while (receipts.size() < expectedReceipts.size()) {
                String frame = client.nextText();
                assertTrue(frame.startsWith("RECEIPT"), frame);
                receipts.add(frame.substring(frame.indexOf("receipt-id:") + 11, frame.indexOf('\n', frame.indexOf("receipt-id:"))));
            }
            assertEquals(expectedReceipts, receipts, "RECEIPTs in the order of the frames");
            reader.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0"
                    + "SUBSCRIBE\nid:s\ndestination:/queue/ordered\nack:client-individual\n\n\0");
            assertTrue(reader.nextText().startsWith("CONNECTED"));
            List<String> bodies = new ArrayList<>();
            StringBuilder acks = new StringBuilder();
            while (bodies.size() < expectedBodies.size()) {
                String message = reader.nextText();
                bodies.add(message.substring(message.indexOf("\n\n") + 2, message.length() - 1));
                String ack = message.substring(message.indexOf("\nack:") + 5, message.indexOf('\n', message.indexOf("\nack:") + 1));
                acks.append("ACK\nid:").append(ack).append("\nreceipt:a").append(bodies.size()).append("\n\n\0");
            }
            assertEquals(expectedBodies, bodies, "the queue has them in the order they were sent");
            reader.sendText(acks.toString()); // every ACK with a RECEIPT: each waits for its removal to be on disk
            for (int i = 1; i <= expectedBodies.size(); i++) {
                String receipt = reader.nextText();
                assertTrue(receipt.startsWith("RECEIPT") && receipt.contains("receipt-id:a" + i + "\n"), receipt);
            }
            assertTrue(server.server().application().stompBroker().stats().stream()
                    .filter(d -> d.destination().equals("/queue/ordered")).allMatch(d -> d.persistent() == 0 && d.unacked() == 0),
                    "every acknowledged message is gone, from memory and the store");
        }
    }
}
