package dev.switchboard.xmpp.tcp;

import dev.switchboard.xmpp.StreamErrorCondition;
import dev.switchboard.xmpp.XmlElement;
import dev.switchboard.xmpp.XmppFrame;
import dev.switchboard.xmpp.XmppFraming;
import dev.switchboard.xmpp.XmppNamespaces;
import dev.switchboard.xmpp.XmppStreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.switchboard.xmpp.StreamErrorCondition.INVALID_NAMESPACE;
import static dev.switchboard.xmpp.StreamErrorCondition.NOT_WELL_FORMED;
import static dev.switchboard.xmpp.StreamErrorCondition.POLICY_VIOLATION;
import static dev.switchboard.xmpp.StreamErrorCondition.RESTRICTED_XML;
import static dev.switchboard.xmpp.StreamErrorCondition.UNSUPPORTED_ENCODING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XmppStreamReaderTest {

    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0' xml:lang='en'>";
    /** One declaration: for tests of small attribute limits, which the header counts against too. */
    private static final String BARE_HEADER = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>";
    private static final String MESSAGE = "<message to='bob@localhost' type='chat' id='m1'><body>hello &amp; &#x263A;</body></message>";
    private static final String PRESENCE = "<presence><show>away</show><status>out</status></presence>";

    private final RecordingHandler handler = new RecordingHandler();
    private final XmppStreamReader reader = new XmppStreamReader(XmppFraming.DEFAULT_MAX_STANZA_BYTES, handler);

    private void feed(String text) {
        reader.feed(text.getBytes(StandardCharsets.UTF_8));
    }

    private StreamErrorCondition refusal(String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> feed(text));
        XmppStreamException error = handler.error();
        assertNotNull(error, "refused: " + handler.events);
        assertTrue(reader.finished());
        return error.condition();
    }

    /** The element XmppFraming makes of the same text alone, the shape the session knows. */
    private static XmlElement framed(String stanza) throws XmppStreamException {
        return XmppFraming.withDefaults().decode(stanza.replaceFirst("^<(\\w+)", "<$1 xmlns='jabber:client'")).element();
    }

    @Test
    void aStreamIsItsHeaderItsStanzasAndItsClose() throws Exception {
        feed(HEADER + MESSAGE + PRESENCE + "</stream:stream>");
        assertEquals(4, handler.events.size(), handler.events.toString());
        XmppFrame.Open open = assertInstanceOf(XmppFrame.Open.class, handler.events.get(0));
        assertTrue(open.element().is("stream", XmppNamespaces.STREAMS));
        assertEquals("localhost", open.to());
        assertEquals("1.0", open.version());
        assertEquals("en", open.lang());
        assertEquals(framed(MESSAGE), handler.events.get(1));
        assertEquals(framed(PRESENCE), handler.events.get(2));
        assertEquals("closed", handler.events.get(3));
        assertEquals("hello & \u263A", ((XmlElement) handler.events.get(1)).childText("body", XmppNamespaces.CLIENT));
    }

    @Test
    void oneByteAtATimeReadsTheSame() throws Exception {
        byte[] bytes = (HEADER + MESSAGE + " \n\t " + PRESENCE + "</stream:stream>").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            reader.feed(bytes, i, 1);
        }
        assertEquals(List.of(framed(MESSAGE), framed(PRESENCE)), handler.elements());
        assertEquals("closed", handler.events.get(handler.events.size() - 1));
    }

    @Test
    void whitespaceKeepalivesBetweenStanzasAreIgnoredAndNotCountedAgainstTheSize() {
        XmppStreamReader small = new XmppStreamReader(1024, handler);
        small.feed(HEADER.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 100; i++) {
            small.feed(" ".repeat(50).getBytes(StandardCharsets.UTF_8));
        }
        small.feed("<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>".getBytes(StandardCharsets.UTF_8));
        assertEquals(2, handler.events.size(), handler.events.toString());
        assertEquals("iq", handler.elements().get(0).name());
    }

    @Test
    void theSizeOfAStanzaIsItsUtf8Bytes() {
        feed(HEADER + MESSAGE);
        assertEquals(MESSAGE.getBytes(StandardCharsets.UTF_8).length, reader.lastElementBytes());
    }

    @Test
    void aStreamWithoutDefaultNamespaceReadsStanzasAsJabberClient() {
        feed("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='localhost'><message><body>x</body></message>");
        XmlElement message = handler.elements().get(0);
        assertEquals(XmppNamespaces.CLIENT, message.namespace());
        assertEquals("x", message.childText("body", XmppNamespaces.CLIENT));
    }

    @Test
    void aRestartAfterSaslSuccessReadsTheNextStreamWithAFreshParser() {
        XmppStreamReader[] self = new XmppStreamReader[1];
        RecordingHandler seen = new RecordingHandler() {
            @Override
            public void received(XmlElement element) {
                super.received(element);
                if (element.name().equals("auth")) {
                    self[0].restartAfterThisElement();
                }
            }
        };
        self[0] = new XmppStreamReader(XmppFraming.DEFAULT_MAX_STANZA_BYTES, seen);
        self[0].feed((HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>"
                + HEADER + "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(4, seen.events.size(), seen.events.toString());
        assertInstanceOf(XmppFrame.Open.class, seen.events.get(0));
        assertInstanceOf(XmppFrame.Open.class, seen.events.get(2));
        assertEquals("iq", ((XmlElement) seen.events.get(3)).name());
    }

    @Test
    void aRestartAskedWhileIdleAppliesToTheNextBytes() {
        feed(HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>");
        reader.restartAfterThisElement();
        feed(HEADER + PRESENCE);
        assertEquals(4, handler.events.size(), handler.events.toString());
        assertInstanceOf(XmppFrame.Open.class, handler.events.get(2));
    }

    @Test
    void startTlsDiscardsWhatFollowsItsElement() {
        XmppStreamReader[] self = new XmppStreamReader[1];
        RecordingHandler seen = new RecordingHandler() {
            @Override
            public void received(XmlElement element) {
                super.received(element);
                if (element.name().equals("starttls")) {
                    self[0].discardAndRestart();
                }
            }
        };
        self[0] = new XmppStreamReader(XmppFraming.DEFAULT_MAX_STANZA_BYTES, seen);
        self[0].feed((HEADER + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" + MESSAGE + "<junk")
                .getBytes(StandardCharsets.UTF_8));
        self[0].feed((HEADER + PRESENCE).getBytes(StandardCharsets.UTF_8));
        assertEquals(4, seen.events.size(), seen.events.toString());
        assertEquals("starttls", ((XmlElement) seen.events.get(1)).name());
        assertInstanceOf(XmppFrame.Open.class, seen.events.get(2));
        assertEquals("presence", ((XmlElement) seen.events.get(3)).name());
    }

    @Test
    void nothingIsReadAfterTheStreamEnds() {
        feed(HEADER + "</stream:stream>" + MESSAGE);
        assertEquals(2, handler.events.size(), handler.events.toString());
    }

    @Test
    void billionLaughsIsRestrictedXml() {
        String laughs = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                + "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
                + "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>&lol3;";
        assertEquals(RESTRICTED_XML, refusal(laughs));
    }

    @Test
    void anExternalEntityIsRestrictedXml() {
        assertEquals(RESTRICTED_XML, refusal("<!DOCTYPE s SYSTEM 'file:///etc/passwd'>"
                + "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<message><body>&xxe;</body></message>",
            "<message to='&xxe;'/>",
            "<message><?php evil() ?></message>",
            "<?php evil() ?>",
            "<!-- a comment -->",
            "<message><!-- a comment --></message>"})
    void entitiesProcessingInstructionsAndCommentsAreRestrictedXml(String stanza) {
        assertEquals(RESTRICTED_XML, refusal(HEADER + stanza));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<message></presence>",
            "<message to='a' to='b'/>",
            "hello",
            "<message>\u0001</message>",
            "<x:message/>",
            "<?xml version='1.0'?><message/>",
            "<stream:2n/>",
            "<message xmlns:x='urn:x' x:-a='1'/>",
            "</stream:streamx>"})
    void brokenXmlIsNotWellFormed(String stanza) {
        assertEquals(NOT_WELL_FORMED, refusal(HEADER + stanza));
    }

    @Test
    void anElementInTheXmlNamespaceIsBadNamespacePrefix() {
        assertEquals(StreamErrorCondition.BAD_NAMESPACE_PREFIX, refusal(HEADER + "<message><xml:lang/></message>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>",
            "<stream:stream xmlns:stream='urn:example' to='localhost'>",
            "<stream xmlns='jabber:client'>",
            "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"})
    void aHeaderThatIsNotAClientStreamIsInvalidNamespace(String header) {
        assertEquals(INVALID_NAMESPACE, refusal(header));
    }

    @Test
    void anEncodingOtherThanUtf8IsRefused() {
        assertEquals(UNSUPPORTED_ENCODING, refusal("<?xml version='1.0' encoding='ISO-8859-1'?>"
                + "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"));
    }

    @Test
    void tenMegabytesArePolicyViolationAfterAtMostTheLimitAndOneRead() {
        int limit = XmppFraming.DEFAULT_MAX_STANZA_BYTES;
        feed(HEADER + "<message><body>");
        byte[] chunk = "x".repeat(16 * 1024).getBytes(StandardCharsets.UTF_8);
        long fed = 0;
        while (!reader.finished() && fed < 10L * 1024 * 1024) {
            reader.feed(chunk);
            fed += chunk.length;
        }
        assertEquals(POLICY_VIOLATION, handler.error().condition());
        assertTrue(fed <= limit + chunk.length, "refused only after " + fed + " bytes");
    }

    @Test
    void aHugeStartTagIsPolicyViolationToo() {
        feed(HEADER + "<message to='");
        byte[] chunk = "y".repeat(16 * 1024).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 640 && !reader.finished(); i++) {
            reader.feed(chunk);
        }
        assertEquals(POLICY_VIOLATION, handler.error().condition());
    }

    @Test
    void aSlightlyTooBigStanzaIsRefusedAndOneAtTheLimitIsNot() {
        XmppStreamReader small = new XmppStreamReader(1024, handler);
        String prefix = "<message><body>";
        String suffix = "</body></message>";
        String fits = prefix + "é".repeat((1024 - prefix.length() - suffix.length()) / 2) + suffix;
        assertTrue(fits.getBytes(StandardCharsets.UTF_8).length <= 1024);
        small.feed((HEADER + fits).getBytes(StandardCharsets.UTF_8));
        assertEquals(1, handler.elements().size(), handler.events.toString());
        small.feed((prefix + "é".repeat(600) + suffix).getBytes(StandardCharsets.UTF_8));
        assertEquals(POLICY_VIOLATION, handler.error().condition());
    }

    @Test
    void tenThousandDeepIsPolicyViolation() {
        assertEquals(POLICY_VIOLATION, refusal(HEADER + "<message>" + "<a>".repeat(10_000)));
    }

    @Test
    void depthAttributesAndChildrenLimitsAreExact() {
        XmppStreamReader limited = new XmppStreamReader(1 << 20, 3, 2, 3, handler);
        limited.feed((BARE_HEADER + "<a><b><c/></b></a>" + "<a x='1' y='2'/>" + "<a><b/>text<c/></a>")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(3, handler.elements().size(), handler.events.toString());
        limited.feed("<a><b><c><d/></c></b></a>".getBytes(StandardCharsets.UTF_8));
        assertEquals(POLICY_VIOLATION, handler.error().condition());
    }

    @Test
    void textInPiecesIsOneChild() {
        XmppStreamReader limited = new XmppStreamReader(1 << 20, 3, 2, 1, handler);
        byte[] bytes = (BARE_HEADER + "<message><body>" + "abc".repeat(100) + "</body></message>").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += 7) {
            limited.feed(bytes, i, Math.min(7, bytes.length - i));
        }
        assertEquals("abc".repeat(100), handler.elements().get(0).childText("body", XmppNamespaces.CLIENT));
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 1025})
    void aFloodOfAttributesOrChildrenIsPolicyViolation(int count) {
        String stanza = count == 65
                ? "<message " + buildAttributes(count) + "/>"
                : "<message>" + "<x/>".repeat(count) + "</message>";
        assertEquals(POLICY_VIOLATION, refusal(HEADER + stanza));
    }

    private static String buildAttributes(int count) {
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < count; i++) {
            attributes.append(" a").append(i).append("='v'");
        }
        return attributes.toString();
    }
}
