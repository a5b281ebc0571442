package dev.switchboard.transport;

import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standalone server's Tyrus, on the fast path and on the fallback, as a raw socket sees it. */
class FastPathWireTest {

    private static final Map<String, String> KEYS = Map.of("max-message-bytes", "1MiB");

    private static Map<String, String> off() {
        Map<String, String> keys = new java.util.HashMap<>(KEYS);
        keys.put("transport.fast-path", "off");
        return keys;
    }

    private static byte[] echoed(RawWebSocket socket, int opcode, byte[] payload) throws IOException {
        socket.sendFrame(opcode, true, payload);
        return socket.readRawFrame();
    }

    private static List<byte[]> payloads() {
        byte[] multibyte = "héllo wörld 日本語 😀".repeat(20).getBytes(StandardCharsets.UTF_8);
        byte[] long16 = "x".repeat(200).getBytes(StandardCharsets.UTF_8);
        byte[] long64 = "y".repeat(70_000).getBytes(StandardCharsets.UTF_8);
        return List.of(new byte[0], "hi".getBytes(StandardCharsets.UTF_8), "z".repeat(125).getBytes(StandardCharsets.UTF_8),
                "z".repeat(126).getBytes(StandardCharsets.UTF_8), multibyte, long16, long64);
    }

    @Test
    void theStandaloneTyrusTakesTheFastPath() throws Exception {
        long fast = FastPath.fastSessions();
        try (RunningServer server = RunningServer.start(KEYS);
             RawWebSocket socket = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            echoed(socket, RawWebSocket.TEXT, "ping".getBytes(StandardCharsets.UTF_8));
            assertEquals(fast + 1, FastPath.fastSessions());
        }
    }

    @Test
    void theKillSwitchRunsTheFallbackOnPurpose() throws Exception {
        long fast = FastPath.fastSessions();
        long jakarta = FastPath.jakartaSessions();
        try (RunningServer server = RunningServer.start(off());
             RawWebSocket socket = RawWebSocket.connect("127.0.0.1", server.port(), "/echo")) {
            byte[] frame = echoed(socket, RawWebSocket.TEXT, "ping".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(new byte[] {(byte) 0x81, 4, 'p', 'i', 'n', 'g'}, frame);
            assertEquals(fast, FastPath.fastSessions());
            assertEquals(jakarta + 1, FastPath.jakartaSessions());
        }
    }

    @Test
    void framesAreByteIdenticalToWhatTyrusSends() throws Exception {
        try (RunningServer fastServer = RunningServer.start(KEYS);
             RunningServer tyrusServer = RunningServer.start(off());
             RawWebSocket fast = RawWebSocket.connect("127.0.0.1", fastServer.port(), "/echo");
             RawWebSocket tyrus = RawWebSocket.connect("127.0.0.1", tyrusServer.port(), "/echo")) {
            for (int opcode : new int[] {RawWebSocket.TEXT, RawWebSocket.BINARY}) {
                for (byte[] payload : payloads()) {
                    byte[] ours = echoed(fast, opcode, payload);
                    byte[] theirs = echoed(tyrus, opcode, payload);
                    assertTrue(Arrays.equals(theirs, ours), "opcode " + opcode + ", " + payload.length + " bytes: "
                            + Arrays.toString(Arrays.copyOf(ours, Math.min(12, ours.length))) + " vs Tyrus's "
                            + Arrays.toString(Arrays.copyOf(theirs, Math.min(12, theirs.length))));
                }
            }
        }
    }
}
