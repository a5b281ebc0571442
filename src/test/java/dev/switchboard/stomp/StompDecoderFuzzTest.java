package dev.switchboard.stomp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Coverage-guided fuzzing of the STOMP decoder: whatever the bytes, and however they are split
 * into chunks, the decoder returns frames within its limits or throws {@link StompException} —
 * nothing else. Decoded frames survive an encode/decode round trip unchanged.
 */
class StompDecoderFuzzTest {

    private static final int MAX_FRAME = 4096;

    @FuzzTest(maxDuration = "30s")
    void decoderOnlyEverThrowsItsOwnError(FuzzedDataProvider data) {
        StompVersion version = StompVersion.values()[data.consumeInt(0, 2)];
        StompDecoder decoder = new StompDecoder(MAX_FRAME, 16, 256);
        decoder.version(version);
        try {
            while (data.remainingBytes() > 0) {
                byte[] chunk = data.consumeBytes(data.consumeInt(1, 512));
                List<StompFrame> frames = decoder.decode(ByteBuffer.wrap(chunk));
                for (StompFrame frame : frames) {
                    check(frame, version);
                }
            }
        } catch (StompException expected) {
            // the one way the decoder may refuse input
        }
    }

    private static void check(StompFrame frame, StompVersion version) throws StompException {
        if (frame.headers().size() > 16 || frame.body().length > MAX_FRAME) {
            throw new IllegalStateException("a limit was not enforced: " + frame);
        }
        // No header ever holds a NUL; a CR only from 1.2's escape, an LF only from 1.1/1.2's:
        // what a version cannot escape it cannot have decoded either (no raw line breaks relayed on).
        boolean escaped = version != StompVersion.V1_0 && frame.command().escapesHeaders();
        for (java.util.Map.Entry<String, String> h : frame.headers()) {
            String both = h.getKey() + h.getValue();
            if (both.indexOf(0) >= 0 || (both.indexOf('\r') >= 0 && !(escaped && version == StompVersion.V1_2))
                    || (both.indexOf('\n') >= 0 && !escaped)) {
                throw new IllegalStateException("a raw control character was decoded into " + frame);
            }
        }
        // CONNECT-family frames are not escaped, so names with ':' cannot round-trip there
        if (!frame.command().escapesHeaders() || version == StompVersion.V1_0) {
            return;
        }
        StompDecoder again = new StompDecoder(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        again.version(version);
        List<StompFrame> back = again.decode(ByteBuffer.wrap(StompEncoder.encode(frame, version)));
        if (back.size() != 1 || !java.util.Arrays.equals(back.get(0).body(), frame.body())
                || !back.get(0).headers().equals(withLength(frame))) {
            throw new IllegalStateException("round trip changed " + frame + " into " + back);
        }
    }

    /** The encoder writes one content-length, of the real body size, wherever the frame had one. */
    private static List<java.util.Map.Entry<String, String>> withLength(StompFrame frame) {
        List<java.util.Map.Entry<String, String>> expected = new java.util.ArrayList<>();
        boolean length = false;
        for (java.util.Map.Entry<String, String> h : frame.headers()) {
            if (h.getKey().equals("content-length")) {
                if (!length) {
                    expected.add(java.util.Map.entry("content-length", String.valueOf(frame.body().length)));
                    length = true;
                }
            } else {
                expected.add(h);
            }
        }
        if (!length && frame.body().length > 0) {
            expected.add(java.util.Map.entry("content-length", String.valueOf(frame.body().length)));
        }
        return expected;
    }
}
