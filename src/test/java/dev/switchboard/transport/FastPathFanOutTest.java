package dev.switchboard.transport;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A room big enough to fan out on the stripes (where a backlog is merged into one write per
 * receiver): every receiver gets every message, in each sender's order, and one that stops
 * reading is still closed with 1013 while the others get everything.
 */
class FastPathFanOutTest {

    private static final int RECEIVERS = 70; // over FanOut.STRIPED_FROM
    private static final Pattern TEXT = Pattern.compile("\"text\":\"(s\\d+)-(\\d+|end)");

    private static Map<String, String> keys(String fastPath) {
        Map<String, String> keys = new HashMap<>(Map.of("rate.messages-per-second", "1000000", "rate.burst", "1000000",
                "fan-out.max-backlog", "1000000", "send-queue-bytes", "8MiB", "chat.max-text", "4000"));
        keys.put("transport.fast-path", fastPath);
        return keys;
    }

    private static void send(RawWebSocket socket, String json) throws IOException {
        socket.sendFrame(RawWebSocket.TEXT, true, json.getBytes(StandardCharsets.UTF_8));
    }

    private static RawWebSocket join(RunningServer server, String room, String nick) throws IOException {
        RawWebSocket socket = RawWebSocket.connect("127.0.0.1", server.port(), "/chat/" + room);
        send(socket, "{\"type\":\"join\",\"nick\":\"" + nick + "\"}");
        while (!new String(socket.readFrame().payload(), StandardCharsets.UTF_8).contains("\"type\":\"welcome\"")) {
            // presence of those who joined before
        }
        return socket;
    }

    /** Reads messages up to each sender's "end": per sender, how many, having checked their order. */
    private static Map<String, Integer> readUntilEnds(RawWebSocket socket, int senders) throws IOException {
        Map<String, Integer> last = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        int ended = 0;
        List<String> errors = new ArrayList<>();
        while (ended < senders) {
            RawWebSocket.Frame frame;
            try {
                frame = socket.readFrame();
            } catch (IOException e) {
                throw new IOException("after " + counts + ", " + ended + " ends, errors " + errors, e);
            }
            if (frame.opcode() == RawWebSocket.CLOSE) {
                throw new IOException("closed with " + frame.closeCode());
            }
            String text = new String(frame.payload(), StandardCharsets.UTF_8);
            if (!text.contains("\"type\":\"message\"")) {
                if (text.contains("\"type\":\"error\"") && errors.size() < 3) {
                    errors.add(text);
                }
                continue;
            }
            Matcher m = TEXT.matcher(text);
            if (!m.find()) {
                continue;
            }
            if (m.group(2).equals("end")) {
                ended++;
                continue;
            }
            int n = Integer.parseInt(m.group(2));
            int previous = last.getOrDefault(m.group(1), -1);
            if (n != previous + 1) {
                throw new AssertionError(m.group(1) + ": " + n + " after " + previous);
            }
            last.put(m.group(1), n);
            counts.merge(m.group(1), 1, Integer::sum);
        }
        return counts;
    }

    @ParameterizedTest(name = "transport.fast-path={0}")
    @ValueSource(strings = {"on", "off"})
    void everyReceiverGetsEveryMessageInEachSendersOrder(String fastPath) throws Exception {
        int senders = 3;
        int each = 300;
        ExecutorService threads = Executors.newFixedThreadPool(RECEIVERS + 2 * senders); // every reader, every sender
        List<RawWebSocket> sockets = new ArrayList<>();
        try (RunningServer server = RunningServer.start(keys(fastPath))) {
            List<Future<Map<String, Integer>>> received = new ArrayList<>();
            for (int i = 0; i < RECEIVERS; i++) {
                RawWebSocket receiver = join(server, "order", "r" + i);
                sockets.add(receiver);
            }
            List<RawWebSocket> senderSockets = new ArrayList<>();
            for (int k = 0; k < senders; k++) {
                RawWebSocket sender = join(server, "order", "s" + k);
                sockets.add(sender);
                senderSockets.add(sender);
            }
            for (RawWebSocket socket : sockets) {
                received.add(threads.submit(() -> readUntilEnds(socket, senders)));
            }
            List<Future<?>> sending = new ArrayList<>();
            for (int k = 0; k < senders; k++) {
                RawWebSocket sender = senderSockets.get(k);
                String name = "s" + k;
                sending.add(threads.submit(() -> {
                    for (int n = 0; n < each; n++) {
                        send(sender, "{\"type\":\"message\",\"text\":\"" + name + "-" + n + "\"}");
                    }
                    send(sender, "{\"type\":\"message\",\"text\":\"" + name + "-end\"}");
                    return null;
                }));
            }
            for (Future<?> s : sending) {
                s.get(60, TimeUnit.SECONDS);
            }
            for (Future<Map<String, Integer>> r : received) {
                Map<String, Integer> counts = r.get(60, TimeUnit.SECONDS);
                for (int k = 0; k < senders; k++) {
                    assertEquals(each, counts.getOrDefault("s" + k, 0), "messages of s" + k);
                }
            }
        } finally {
            threads.shutdownNow();
            for (RawWebSocket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aStalledReaderOfABigRoomIsClosedWith1013WhileTheOthersGetEverything() throws Exception {
        Map<String, String> keys = keys("on");
        keys.put("send-queue-bytes", "256KiB");
        ExecutorService threads = Executors.newFixedThreadPool(RECEIVERS);
        List<RawWebSocket> sockets = new ArrayList<>();
        try (RunningServer server = RunningServer.start(keys)) {
            for (int i = 0; i < RECEIVERS - 1; i++) {
                sockets.add(join(server, "stall", "r" + i));
            }
            RawWebSocket stalled = join(server, "stall", "stalled"); // reads nothing from here on
            sockets.add(stalled);
            RawWebSocket sender = join(server, "stall", "s0");
            sockets.add(sender);
            List<Future<Map<String, Integer>>> received = new ArrayList<>();
            for (RawWebSocket socket : sockets) {
                if (socket != stalled) {
                    received.add(threads.submit(() -> readUntilEnds(socket, 1)));
                }
            }
            String padding = "x".repeat(3000);
            String slow = "switchboard_slow_consumer_closes_total{endpoint=\"chat\"}";
            int sent = 0;
            while (server.metricNow(slow) == 0 && sent < 20_000) {
                for (int i = 0; i < 50; i++) {
                    send(sender, "{\"type\":\"message\",\"text\":\"s0-" + sent + " " + padding + "\"}");
                    sent++;
                }
            }
            send(sender, "{\"type\":\"message\",\"text\":\"s0-end\"}");
            assertEquals(1, server.metricNow(slow), "the stalled reader was cut off after " + sent + " messages");
            for (Future<Map<String, Integer>> r : received) {
                assertEquals(sent, r.get(60, TimeUnit.SECONDS).getOrDefault("s0", 0), "every reading member got every message");
            }
            Await.until("the stalled reader's 1013 close to be counted", () ->
                    server.metricNow("switchboard_closes_total{code=\"1013\",endpoint=\"chat\"}") == 1);
            assertTrue(FastPath.fastSessions() > 0);
        } finally {
            threads.shutdownNow();
            for (RawWebSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
