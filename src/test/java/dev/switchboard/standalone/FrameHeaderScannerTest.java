package dev.switchboard.standalone;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

class FrameHeaderScannerTest {

    private static byte[] frame(int first, long length, int payloadBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        if (length <= 125) {
            out.write(0x80 | (int) length);
        } else if (length <= 0xffff) {
            out.write(0x80 | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        }
        out.writeBytes(new byte[] {1, 2, 3, 4});
        out.writeBytes(new byte[payloadBytes]);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void headersSplitAcrossReadsAreReadWhole() {
        byte[] stream = concat(frame(0x82, 300, 300), frame(0x81, 70_000, 70_000), frame(0x89, 3, 3));
        FrameHeaderScanner scanner = new FrameHeaderScanner(100_000);
        for (int i = 0; i < stream.length; i++) { // one byte per read
            assertNull(scanner.scan(index -> stream[index], i, i + 1), "at byte " + i);
        }
    }

    @Test
    void aFrameOverTheLimitIsRefusedAtItsHeaderAndTheFramesBeforeItPass() {
        byte[] good = frame(0x82, 10, 10);
        byte[] stream = concat(good, frame(0x82, 1L << 40, 0));
        FrameHeaderScanner.Violation violation = new FrameHeaderScanner(1000).scan(index -> stream[index], 0, stream.length);
        assertEquals(1009, violation.code());
        assertEquals(good.length, violation.frameStart());
    }

    @Test
    void fragmentsCountTogetherAndControlFramesDoNot() {
        byte[] stream = concat(frame(0x02, 600, 600), frame(0x89, 100, 100), frame(0x00, 400, 400), frame(0x80, 1, 1));
        FrameHeaderScanner.Violation violation = new FrameHeaderScanner(1000).scan(index -> stream[index], 0, stream.length);
        assertEquals(1009, violation.code());
    }

    @Test
    void aNewMessageStartsCountingAfresh() {
        byte[] stream = concat(frame(0x82, 900, 900), frame(0x81, 900, 900));
        assertNull(new FrameHeaderScanner(1000).scan(index -> stream[index], 0, stream.length));
    }

    @Test
    void aRefusalSticks() {
        byte[] unmasked = {(byte) 0x81, 0x01, 'x'};
        FrameHeaderScanner scanner = new FrameHeaderScanner(1000);
        assertEquals(1002, scanner.scan(index -> unmasked[index], 0, 3).code());
        byte[] good = frame(0x81, 1, 1);
        assertEquals(1002, scanner.scan(index -> good[index], 0, good.length).code());
    }

    @Test
    void aSixtyFourBitLengthWithItsTopBitSetIsRefusedAtOnce() {
        byte[] header = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80};
        assertEquals(1002, new FrameHeaderScanner(1000).scan(index -> header[index], 0, 3).code());
    }

    @Test
    void anOversizedFrameEndsWhenItsLastByteHasBeenRead() {
        byte[] stream = frame(0x81, 5000, 5000);
        FrameHeaderScanner scanner = new FrameHeaderScanner(1000);
        assertEquals(1009, scanner.scan(index -> stream[index], 0, 100).code());
        assertFalse(scanner.refusedMessageEnded(), "4,900 more bytes are on their way");
        scanner.scan(index -> stream[index], 100, stream.length - 1);
        assertFalse(scanner.refusedMessageEnded());
        scanner.scan(index -> stream[index], stream.length - 1, stream.length);
        assertTrue(scanner.refusedMessageEnded());
    }

    @Test
    void aFragmentedOversizedMessageEndsWithItsFinalFragmentNotAtAPingBetween() {
        byte[] stream = concat(frame(0x01, 800, 800), frame(0x00, 800, 800), frame(0x89, 4, 4), frame(0x00, 800, 800),
                frame(0x80, 10, 10));
        FrameHeaderScanner scanner = new FrameHeaderScanner(1000);
        int finalFragment = stream.length - frame(0x80, 10, 10).length;
        for (int i = 0; i < finalFragment; i++) {
            scanner.scan(index -> stream[index], i, i + 1);
            assertFalse(scanner.refusedMessageEnded(), "at byte " + i);
        }
        assertEquals(1009, scanner.violation().code());
        scanner.scan(index -> stream[index], finalFragment, stream.length);
        assertTrue(scanner.refusedMessageEnded());
    }

    @Test
    void thePeersCloseFrameEndsTheWaitAndA1002NeedsNone() {
        byte[] stream = concat(frame(0x01, 2000, 2000), frame(0x88, 2, 2));
        FrameHeaderScanner scanner = new FrameHeaderScanner(1000);
        assertEquals(1009, scanner.scan(index -> stream[index], 0, stream.length).code());
        assertTrue(scanner.refusedMessageEnded(), "the client gave up on the rest of its message and closed");

        byte[] unmasked = {(byte) 0x81, 0x01, 'x'};
        FrameHeaderScanner other = new FrameHeaderScanner(1000);
        assertEquals(1002, other.scan(index -> unmasked[index], 0, unmasked.length).code());
        assertTrue(other.refusedMessageEnded());
    }
}
