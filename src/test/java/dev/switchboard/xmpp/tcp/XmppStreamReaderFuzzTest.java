package dev.switchboard.xmpp.tcp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.xmpp.XmlElement;
import dev.switchboard.xmpp.XmlNode;
import dev.switchboard.xmpp.XmppFrame;
import dev.switchboard.xmpp.XmppFraming;
import dev.switchboard.xmpp.XmppStreamException;
import dev.switchboard.xmpp.XmppWriter;

/**
 * Coverage-guided fuzzing of the TCP stream reader: whatever the bytes and however they are cut
 * into reads, it only ever hands the handler a header, elements within the limits, a close, or
 * one refusal (and nothing after that), never throws, and never takes long. Every element it reads
 * is one the WebSocket decoder reads the same from the writer's text of it.
 */
class XmppStreamReaderFuzzTest {

    private static final int MAX_BYTES = 4096;
    private static final int MAX_DEPTH = 8;
    private static final int MAX_ATTRIBUTES = 8;
    private static final int MAX_CHILDREN = 16;
    private static final long SLOW_NANOS = 1_000_000_000L;
    private static final byte[] HEADER = XmppStreamReaderTest.HEADER.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @FuzzTest(maxDuration = "10s")
    void readerOnlyEverRefusesWithAStreamError(FuzzedDataProvider data) {
        boolean withHeader = data.consumeBoolean();
        int cut = data.consumeInt(1, 64);
        byte[] bytes = data.consumeRemainingAsBytes();
        RecordingHandler handler = new RecordingHandler();
        XmppStreamReader reader = new XmppStreamReader(MAX_BYTES, MAX_DEPTH, MAX_ATTRIBUTES + 8, MAX_CHILDREN, handler);
        long start = System.nanoTime();
        if (withHeader) {
            reader.feed(HEADER);
        }
        for (int i = 0; i < bytes.length; i += cut) {
            reader.feed(bytes, i, Math.min(cut, bytes.length - i));
        }
        if (System.nanoTime() - start > SLOW_NANOS) {
            throw new IllegalStateException("reading took over a second: " + bytes.length + " bytes");
        }
        // one level deeper: inside a wrapper, as a WebSocket message cannot be a top-level <open/> or <close/>
        XmppFraming framing = new XmppFraming(Integer.MAX_VALUE, MAX_DEPTH + 1, MAX_ATTRIBUTES + 9, MAX_CHILDREN);
        boolean ended = false;
        for (Object event : handler.events) {
            if (ended) {
                throw new IllegalStateException("an event after the end: " + handler.events);
            }
            if (event instanceof XmppStreamException || "closed".equals(event)) {
                ended = true;
            } else if (event instanceof XmlElement element) {
                check(element, 1);
                XmlElement again;
                try {
                    again = framing.decode("<wrapper xmlns='urn:example:wrapper'>" + XmppWriter.write(element)
                            + "</wrapper>").element().elements().get(0);
                } catch (XmppStreamException e) {
                    throw new IllegalStateException("the writer's text of " + element + " was refused: " + e);
                }
                if (!again.equals(element)) {
                    throw new IllegalStateException("round trip changed " + element + " into " + again);
                }
            } else if (!(event instanceof XmppFrame.Open)) {
                throw new IllegalStateException("unexpected event " + event);
            }
        }
    }

    private static void check(XmlElement element, int depth) {
        if (depth > MAX_DEPTH || element.attributes().size() > MAX_ATTRIBUTES + 8
                || element.children().size() > MAX_CHILDREN) {
            throw new IllegalStateException("a limit was not enforced: " + element);
        }
        for (XmlNode child : element.children()) {
            if (child instanceof XmlElement e) {
                check(e, depth + 1);
            }
        }
    }
}
