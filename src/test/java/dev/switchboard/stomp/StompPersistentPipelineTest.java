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
            reader.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0SUBSCRIBE\nid:s\ndestination:/queue/ordered\n\n\0");
            assertTrue(reader.nextText().startsWith("CONNECTED"));
            List<String> bodies = new ArrayList<>();
            while (bodies.size() < expectedBodies.size()) {
                String message = reader.nextText();
                bodies.add(message.substring(message.indexOf("\n\n") + 2, message.length() - 1));
            }
            assertEquals(expectedBodies, bodies, "the queue has them in the order they were sent");
        }
    }
}
