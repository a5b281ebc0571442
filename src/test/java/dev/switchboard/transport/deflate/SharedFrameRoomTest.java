package dev.switchboard.transport.deflate;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One chat room with every kind of receiver — compressed and sharing a frame (no server context
 * takeover), compressed with context takeover, uncompressed — on the fast path and with it off:
 * each gets every message, in order, and the sharing ones the same bytes, compressed once.
 */
class SharedFrameRoomTest {

    private static final int TEXT = 0x1;
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};
    private static final String SHARED = "permessage-deflate; server_no_context_takeover";
    /** Chat messages with a text shorter than this go out uncompressed; the longer ones compressed. */
    private static final Map<String, String> KEYS = Map.of("compression.min-bytes", "160");

    /** One receiver: its connection and how its frames are read (a fresh decompressor per message, or one kept). */
    private record Receiver(String nick, DeflateWire ws, Inflater kept, List<Received> skipped) implements AutoCloseable {
        static Receiver open(RunningServer server, String room, String nick, String offer, boolean takeover)
                throws Exception {
            DeflateWire ws = DeflateWire.connect(server.port(), "/chat/" + room, offer, null);
            Receiver receiver = new Receiver(nick, ws, takeover ? new Inflater(true) : null, new ArrayList<>());
            ws.send(TEXT, true, false, utf8("{\"type\":\"join\",\"nick\":\"" + nick + "\"}"));
            receiver.next("welcome");
            return receiver;
        }

        String text(DeflateWire.Frame frame) throws DataFormatException {
            if (!frame.rsv1()) {
                return new String(frame.payload(), StandardCharsets.UTF_8);
            }
            Inflater inflater = kept != null ? kept : new Inflater(true);
            try {
                return inflate(inflater, frame.payload());
            } finally {
                if (kept == null) {
                    inflater.end();
                }
            }
        }

        /** The next message of {@code type}, past the others (kept in {@link #skipped}); with its frame. */
        Received next(String type) throws Exception {
            for (Received earlier : skipped) {
                if (earlier.json().startsWith("{\"type\":\"" + type + "\"")) {
                    skipped.remove(earlier);
                    return earlier;
                }
            }
            for (int i = 0; i < 1000; i++) {
                DeflateWire.Frame frame = ws.readData();
                String json = text(frame);
                if (json.startsWith("{\"type\":\"" + type + "\"")) {
                    return new Received(json, frame);
                }
                skipped.add(new Received(json, frame));
            }
            throw new AssertionError(nick + ": no " + type);
        }

        void until(String marker) throws Exception {
            for (int i = 0; i < 1000; i++) {
                if (next("message").json().contains(marker)) {
                    skipped.clear();
                    return;
                }
            }
            throw new AssertionError(nick + ": no " + marker);
        }

        @Override
        public void close() throws Exception {
            ws.close();
            if (kept != null) {
                kept.end();
            }
        }
    }

    private record Received(String json, DeflateWire.Frame frame) {
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String inflate(Inflater inflater, byte[] compressed) throws DataFormatException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (byte[] input : new byte[][] {compressed, TAIL}) {
            inflater.setInput(input);
            int n;
            while ((n = inflater.inflate(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String say(int i) {
        return i % 3 == 0 ? "ok " + i : "message " + i + ": shall we meet for lunch at " + (11 + i % 3)
                + ":30 by the fountain, or is it going to rain again?";
    }

    @Test
    void mixedReceiversInOneRoomGetEveryMessageInOrderAndTheSharingOnesOneFrame() throws Exception {
        try (RunningServer server = RunningServer.start(KEYS)) {
            List<Receiver> receivers = new ArrayList<>();
            try {
                Receiver shared = Receiver.open(server, "mixed", "shared", SHARED, false);
                receivers.add(shared);
                Receiver sharedBoth = Receiver.open(server, "mixed", "shared2", SHARED + "; client_no_context_takeover", false);
                receivers.add(sharedBoth);
                Receiver takeover = Receiver.open(server, "mixed", "takeover", "permessage-deflate", true);
                receivers.add(takeover);
                Receiver plain = Receiver.open(server, "mixed", "plain", null, false);
                receivers.add(plain);
                Receiver sender = Receiver.open(server, "mixed", "alice", null, false);
                receivers.add(sender);
                assertEquals(SHARED, shared.ws().extensions());
                sender.ws().send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"warm-up\"}"));
                for (Receiver receiver : receivers) {
                    receiver.until("warm-up");
                }

                int messages = 60;
                int compressible = 0;
                long before = SharedDeflater.framesCompressed();
                for (int i = 0; i < messages; i++) {
                    sender.ws().send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"" + say(i) + "\"}"));
                    compressible += i % 3 == 0 ? 0 : 1;
                }
                // an ordinary send on a sharing session, in the middle of the broadcasts: a pong long enough to compress
                String pingId = "p".repeat(200);
                shared.ws().send(TEXT, true, false, utf8("{\"type\":\"ping\",\"id\":\"" + pingId + "\"}"));
                for (int i = 0; i < messages; i++) {
                    Received[] got = new Received[receivers.size()];
                    for (int r = 0; r < receivers.size(); r++) {
                        got[r] = receivers.get(r).next("message");
                        assertTrue(got[r].json().contains("\"text\":\"" + say(i) + "\""),
                                receivers.get(r).nick() + " got " + got[r].json() + " for message " + i);
                        assertEquals(got[0].json(), got[r].json(), "one JSON for every receiver");
                    }
                    boolean compressed = i % 3 != 0;
                    assertEquals(compressed, got[0].frame().rsv1(), "message " + i + " under or over compression.min-bytes");
                    assertEquals(compressed, got[2].frame().rsv1());
                    assertFalse(got[3].frame().rsv1(), "the uncompressed receiver");
                    assertArrayEquals(got[0].frame().payload(), got[1].frame().payload(),
                            "the receivers without context takeover get the same bytes");
                }
                Received pong = shared.next("pong");
                assertTrue(pong.json().contains(pingId));
                assertTrue(pong.frame().rsv1(), "compressed by the session's own extension, inflates on its own");
                assertEquals(compressible, SharedDeflater.framesCompressed() - before,
                        "each compressible message compressed once for both sharing receivers");
            } finally {
                for (Receiver receiver : receivers) {
                    receiver.close();
                }
            }
        }
    }

    @Test
    void aStripedRoomOfSharingReceiversGetsEveryMessageInOrderFromAFewCompressions() throws Exception {
        int members = 70; // 64 and more: the room's fan-out splits over stripes, each merging its backlog
        try (RunningServer server = RunningServer.start(KEYS)) {
            List<Receiver> receivers = new ArrayList<>();
            try {
                for (int i = 0; i < members; i++) {
                    receivers.add(Receiver.open(server, "striped", "m" + i, SHARED, false));
                }
                Receiver sender = Receiver.open(server, "striped", "alice", null, false);
                receivers.add(sender);
                sender.ws().send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"warm-up\"}"));
                for (Receiver receiver : receivers) {
                    receiver.until("warm-up");
                }
                int messages = 40;
                long before = SharedDeflater.framesCompressed();
                for (int i = 0; i < messages; i++) {
                    sender.ws().send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"" + say(i) + "\"}"));
                }
                for (Receiver receiver : receivers) {
                    for (int i = 0; i < messages; i++) {
                        Received got = receiver.next("message");
                        assertTrue(got.json().contains("\"text\":\"" + say(i) + "\""), receiver.nick() + ": " + got.json());
                        if (receiver != sender) {
                            assertEquals(i % 3 != 0, got.frame().rsv1(), receiver.nick() + ", message " + i);
                        }
                    }
                }
                long compressions = SharedDeflater.framesCompressed() - before;
                long compressible = java.util.stream.IntStream.range(0, messages).filter(i -> i % 3 != 0).count();
                assertTrue(compressions >= compressible && compressions <= 4 * compressible,
                        compressions + " compressions for " + compressible + " messages to " + members + " receivers");
            } finally {
                for (Receiver receiver : receivers) {
                    receiver.close();
                }
            }
        }
    }

    @Test
    void withTheFastPathOffEachSessionCompressesItsOwnAndTheTextsArriveTheSame() throws Exception {
        Map<String, String> keys = new java.util.HashMap<>(KEYS);
        keys.put("transport.fast-path", "off");
        try (RunningServer server = RunningServer.start(keys);
             Receiver shared = Receiver.open(server, "fallback", "shared", SHARED, false);
             Receiver takeover = Receiver.open(server, "fallback", "takeover", "permessage-deflate", true);
             Receiver sender = Receiver.open(server, "fallback", "alice", null, false)) {
            sender.ws().send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"warm-up\"}"));
            shared.until("warm-up");
            takeover.until("warm-up");
            long before = SharedDeflater.framesCompressed();
            for (int i = 0; i < 30; i++) {
                sender.ws().send(TEXT, true, false, utf8("{\"type\":\"message\",\"text\":\"" + say(i) + "\"}"));
            }
            for (int i = 0; i < 30; i++) {
                for (Receiver receiver : List.of(shared, takeover)) {
                    Received got = receiver.next("message");
                    assertTrue(got.json().contains("\"text\":\"" + say(i) + "\""), receiver.nick() + ": " + got.json());
                    assertEquals(i % 3 != 0, got.frame().rsv1(), receiver.nick() + ", message " + i);
                }
            }
            assertEquals(0, SharedDeflater.framesCompressed() - before, "nothing shared: the Jakarta path compresses");
        }
    }
}
