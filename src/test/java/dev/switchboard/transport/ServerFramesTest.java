package dev.switchboard.transport;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 6455 §5.2 server frames: FIN, the opcode, the shortest length form, no mask. */
class ServerFramesTest {

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @Test
    void aShortPayloadHasASevenBitLength() {
        assertArrayEquals(new byte[] {(byte) 0x81, 2, 'h', 'i'}, bytes(ServerFrames.frame(ServerFrames.TEXT, new byte[] {'h', 'i'})));
        assertArrayEquals(new byte[] {(byte) 0x82, 0}, bytes(ServerFrames.frame(ServerFrames.BINARY, new byte[0])));
        byte[] frame = bytes(ServerFrames.frame(ServerFrames.TEXT, new byte[125]));
        assertEquals(2 + 125, frame.length);
        assertEquals(125, frame[1]);
    }

    @Test
    void from126BytesTheLengthTakesSixteenBits() {
        byte[] frame = bytes(ServerFrames.frame(ServerFrames.BINARY, new byte[126]));
        assertArrayEquals(new byte[] {(byte) 0x82, 126, 0, 126}, Arrays.copyOf(frame, 4));
        frame = bytes(ServerFrames.frame(ServerFrames.BINARY, new byte[0xFFFF]));
        assertArrayEquals(new byte[] {(byte) 0x82, 126, (byte) 0xFF, (byte) 0xFF}, Arrays.copyOf(frame, 4));
        assertEquals(4 + 0xFFFF, frame.length);
    }

    @Test
    void from65536BytesTheLengthTakesSixtyFourBits() {
        byte[] frame = bytes(ServerFrames.frame(ServerFrames.TEXT, new byte[0x10000]));
        assertArrayEquals(new byte[] {(byte) 0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}, Arrays.copyOf(frame, 10));
        assertEquals(10 + 0x10000, frame.length);
    }

    @Test
    void aFrameIsAWritableHeapBufferAndLeavesThePayloadAsItWas() {
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        payload.position(1);
        ByteBuffer frame = ServerFrames.frame(ServerFrames.BINARY, payload);
        assertEquals(1, payload.position());
        assertArrayEquals(new byte[] {(byte) 0x82, 3, 2, 3, 4}, bytes(frame));
        assertEquals(true, frame.hasArray(), "Payara's servlet writer copies a buffer without an array");
    }
}
