package dev.switchboard.xmpp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the stanza decoder: whatever the text, {@link XmppFraming#decode}
 * returns a frame within its limits or throws {@link XmppStreamException} — nothing else, and
 * never slowly. A decoded element survives a write/decode round trip unchanged.
 */
class XmppFramingFuzzTest {

    private static final int MAX_BYTES = 4096;
    private static final int MAX_DEPTH = 8;
    private static final int MAX_ATTRIBUTES = 8;
    private static final int MAX_CHILDREN = 16;
    private static final long SLOW_NANOS = 1_000_000_000L;

    private static final XmppFraming FRAMING = new XmppFraming(MAX_BYTES, MAX_DEPTH, MAX_ATTRIBUTES, MAX_CHILDREN);

    @FuzzTest(maxDuration = "10s")
    void decoderOnlyEverRefusesWithAStreamError(FuzzedDataProvider data) {
        String message = data.consumeRemainingAsString();
        long start = System.nanoTime();
        XmppFrame frame;
        try {
            frame = FRAMING.decode(message);
        } catch (XmppStreamException expected) {
            // the one way the decoder may refuse input
            return;
        } finally {
            if (System.nanoTime() - start > SLOW_NANOS) {
                throw new IllegalStateException("decoding took over a second: " + message.length() + " chars");
            }
        }
        XmlElement element = frame.element();
        check(element, 1);
        XmppFrame again;
        try {
            again = new XmppFraming(Integer.MAX_VALUE, MAX_DEPTH, MAX_ATTRIBUTES + 1, MAX_CHILDREN)
                    .decode(XmppWriter.write(element));
        } catch (XmppStreamException e) {
            throw new IllegalStateException("the writer's text of " + element + " was refused: " + e);
        }
        if (!again.equals(frame)) {
            throw new IllegalStateException("round trip changed " + frame + " into " + again);
        }
    }

    private static void check(XmlElement element, int depth) {
        if (depth > MAX_DEPTH || element.attributes().size() > MAX_ATTRIBUTES || element.children().size() > MAX_CHILDREN) {
            throw new IllegalStateException("a limit was not enforced: " + element);
        }
        for (XmlNode child : element.children()) {
            if (child instanceof XmlElement e) {
                check(e, depth + 1);
            }
        }
    }
}
