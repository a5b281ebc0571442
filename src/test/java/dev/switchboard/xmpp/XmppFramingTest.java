package dev.switchboard.xmpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Random;

import static dev.switchboard.xmpp.StreamErrorCondition.INVALID_NAMESPACE;
import static dev.switchboard.xmpp.StreamErrorCondition.NOT_WELL_FORMED;
import static dev.switchboard.xmpp.StreamErrorCondition.POLICY_VIOLATION;
import static dev.switchboard.xmpp.StreamErrorCondition.RESTRICTED_XML;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class XmppFramingTest {

    private static final Duration QUICK = Duration.ofSeconds(2);

    private final XmppFraming framing = XmppFraming.withDefaults();

    private StreamErrorCondition refusal(String message) {
        return assertTimeoutPreemptively(QUICK,
                () -> assertThrows(XmppStreamException.class, () -> framing.decode(message)).condition());
    }

    private XmlElement stanza(String message) throws XmppStreamException {
        return assertInstanceOf(XmppFrame.Stanza.class, framing.decode(message)).element();
    }

    // --- framing

    @Test
    void strophesOpenIsAnOpen() throws Exception {
        XmppFrame.Open open = assertInstanceOf(XmppFrame.Open.class, framing.decode(
                "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"localhost\" version=\"1.0\"/>"));
        assertEquals("localhost", open.to());
        assertEquals("1.0", open.version());
        assertNull(open.lang());
    }

    @Test
    void xmppJsOpenWithLanguageAndDeclarationIsAnOpen() throws Exception {
        XmppFrame.Open open = assertInstanceOf(XmppFrame.Open.class, framing.decode(
                "<?xml version='1.0'?><open version='1.0' xml:lang='en' xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.org'/>"));
        assertEquals("example.org", open.to());
        assertEquals("en", open.lang());
    }

    @Test
    void closeIsAClose() throws Exception {
        assertInstanceOf(XmppFrame.Close.class, framing.decode("<close xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" />"));
        XmppFrame.Close redirect = assertInstanceOf(XmppFrame.Close.class, framing.decode(
                "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://b.example/ws'/>"));
        assertEquals("wss://b.example/ws", redirect.seeOtherUri());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<open to='localhost' version='1.0'/>",
            "<open xmlns='jabber:client' to='localhost' version='1.0'/>",
            "<close/>",
            "<close xmlns='urn:example:framing'/>",
            "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' to='localhost' version='1.0'/>",
            "<features xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>"})
    void anUnknownFramingNamespaceIsInvalidNamespace(String message) {
        assertEquals(INVALID_NAMESPACE, refusal(message));
    }

    // --- realistic stanzas from Strophe.js and xmpp.js

    @Test
    void saslAuthWithBase64() throws Exception {
        XmlElement auth = stanza("<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">AGFsaWNlAHNlY3JldA==</auth>");
        assertEquals(true, auth.is("auth", XmppNamespaces.SASL));
        assertEquals("PLAIN", auth.attribute("mechanism"));
        assertEquals("AGFsaWNlAHNlY3JldA==", auth.text());
        XmlElement response = stanza("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1iaXdzLHI9</response>");
        assertEquals("Yz1iaXdzLHI9", response.text());
        assertEquals(true, stanza("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>").is("abort", XmppNamespaces.SASL));
    }

    @Test
    void bindIq() throws Exception {
        XmlElement iq = stanza("<iq type=\"set\" id=\"_bind_auth_2\" xmlns=\"jabber:client\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><resource>web</resource></bind></iq>");
        assertEquals(true, iq.is("iq", XmppNamespaces.CLIENT));
        XmlElement bind = iq.child("bind", XmppNamespaces.BIND);
        assertEquals("web", bind.childText("resource", XmppNamespaces.BIND));
    }

    @Test
    void presenceWithShowAndStatus() throws Exception {
        XmlElement presence = stanza("<presence xmlns=\"jabber:client\"><show>away</show><status>At lunch &amp; back at 2 &lt;3</status><priority>5</priority></presence>");
        assertEquals("away", presence.childText("show", XmppNamespaces.CLIENT));
        assertEquals("At lunch & back at 2 <3", presence.childText("status", XmppNamespaces.CLIENT));
    }

    @Test
    void groupchatMessage() throws Exception {
        XmlElement message = stanza("<message to='lobby@conference.localhost' type='groupchat' id='a1b2' xmlns='jabber:client'><body>hello &#x1F600; room</body><origin-id xmlns='urn:xmpp:sid:0' id='a1b2'/></message>");
        assertEquals("groupchat", message.attribute("type"));
        assertEquals("hello \uD83D\uDE00 room", message.childText("body", XmppNamespaces.CLIENT));
        assertEquals("a1b2", message.child("origin-id", "urn:xmpp:sid:0").attribute("id"));
    }

    @Test
    void pingIq() throws Exception {
        XmlElement iq = stanza("<iq type='get' id='ping1' to='localhost' xmlns='jabber:client'><ping xmlns='urn:xmpp:ping'/></iq>");
        assertEquals(true, iq.child("ping", "urn:xmpp:ping") != null);
    }

    @Test
    void aStanzaWithoutNamespaceIsReadAsJabberClient() throws Exception {
        XmlElement message = stanza("<message to='bob@localhost'><body>hi</body><x xmlns='jabber:x:oob'><url>u</url></x></message>");
        assertEquals(XmppNamespaces.CLIENT, message.namespace());
        assertEquals("hi", message.childText("body", XmppNamespaces.CLIENT));
        assertEquals("u", message.child("x", "jabber:x:oob").childText("url", "jabber:x:oob"));
    }

    @Test
    void prefixedNamespacesResolveAndCdataIsText() throws Exception {
        XmlElement message = stanza("<c:message xmlns:c='jabber:client' c:foo='1' xml:lang='de'><c:body><![CDATA[a <b> & c]]></c:body></c:message>");
        assertEquals(XmppNamespaces.CLIENT, message.namespace());
        assertEquals("1", message.attribute("{jabber:client}foo"));
        assertEquals("de", message.attribute("xml:lang"));
        assertEquals("a <b> & c", message.childText("body", XmppNamespaces.CLIENT));
    }

    // --- refusals

    @Test
    void billionLaughsIsRestrictedXml() {
        StringBuilder doc = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i <= 9; i++) {
            doc.append("<!ENTITY lol").append(i).append(" \"");
            doc.append(("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10)).append("\">");
        }
        doc.append("]><message xmlns='jabber:client'><body>&lol9;</body></message>");
        assertEquals(RESTRICTED_XML, refusal(doc.toString()));
    }

    @Test
    void anExternalEntityIsRestrictedXmlAndNothingIsRead() {
        assertEquals(RESTRICTED_XML, refusal("<!DOCTYPE m [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><message xmlns='jabber:client'><body>&xxe;</body></message>"));
        assertEquals(RESTRICTED_XML, refusal("<!DOCTYPE message SYSTEM \"http://127.0.0.1:1/evil.dtd\"><message/>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<message xmlns='jabber:client'><body>&xxe;</body></message>",
            "<message xmlns='jabber:client' to='&nbsp;'/>",
            "<?php echo 1 ?><message/>",
            "<message><?pi data?></message>",
            "<message><!-- a comment --></message>"})
    void entitiesProcessingInstructionsAndCommentsAreRestrictedXml(String message) {
        assertEquals(RESTRICTED_XML, refusal(message));
    }

    @Test
    void anEntityNameInsideCdataIsText() throws Exception {
        assertEquals("&xxe;", stanza("<m><![CDATA[&xxe;]]></m>").text());
    }

    @Test
    void tenMegabytesArePolicyViolationBeforeParsing() {
        String big = "<message xmlns='jabber:client'><body>" + "x".repeat(10 * 1024 * 1024) + "</body></message>";
        assertEquals(POLICY_VIOLATION, refusal(big));
    }

    @Test
    void theSizeLimitCountsUtf8Bytes() throws Exception {
        XmppFraming small = new XmppFraming(64);
        String fits = "<m>" + "é".repeat(28) + "</m>"; // 7 + 56 bytes = 63
        assertEquals("é".repeat(28), ((XmppFrame.Stanza) small.decode(fits)).element().text());
        String over = "<m>" + "é".repeat(29) + "</m>"; // 65 bytes, 36 chars
        assertEquals(POLICY_VIOLATION, assertThrows(XmppStreamException.class, () -> small.decode(over)).condition());
    }

    @Test
    void tenThousandDeepIsPolicyViolation() {
        String deep = "<a>".repeat(10_000) + "</a>".repeat(10_000);
        assertEquals(POLICY_VIOLATION, refusal(deep));
        String unclosed = "<a>".repeat(10_000);
        assertEquals(POLICY_VIOLATION, refusal(unclosed));
    }

    @Test
    void depthAttributesAndChildrenLimitsAreExact() throws Exception {
        XmppFraming limited = new XmppFraming(1 << 20, 3, 2, 3);
        limited.decode("<a><b><c/></b></a>");
        assertEquals(POLICY_VIOLATION, assertThrows(XmppStreamException.class,
                () -> limited.decode("<a><b><c><d/></c></b></a>")).condition());
        limited.decode("<a x='1' xmlns='urn:x'/>");
        assertEquals(POLICY_VIOLATION, assertThrows(XmppStreamException.class,
                () -> limited.decode("<a x='1' y='2' xmlns='urn:x'/>")).condition());
        limited.decode("<a><b/>t<c/></a>");
        assertEquals(POLICY_VIOLATION, assertThrows(XmppStreamException.class,
                () -> limited.decode("<a><b/>t<c/>u</a>")).condition());
    }

    @Test
    void aFloodOfAttributesOrChildrenIsPolicyViolation() {
        StringBuilder attributes = new StringBuilder("<message");
        for (int i = 0; i < 5000; i++) {
            attributes.append(" a").append(i).append("='x'");
        }
        assertEquals(POLICY_VIOLATION, refusal(attributes.append("/>").toString()));
        assertEquals(POLICY_VIOLATION, refusal("<message>" + "<b/>".repeat(20_000) + "</message>"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<message/><presence/>",
            "<message/>trailing",
            "text<message/>",
            "",
            "   ",
            "<message>",
            "<message></presence>",
            "<message a='1' a='2'/>",
            "<p:message/>",
            "<message><body>&#xD800;&#xDC00;</body></message>",
            "<message><body>&#xDFFF;</body></message>",
            "<message><body>&#0;</body></message>",
            "<message><body>&#x1;</body></message>",
            "<message><body>&#xFFFE;</body></message>",
            "<message><body>&#1114112;</body></message>",
            "<message><body>\uD800</body></message>",
            "<message><body>\uDC00x</body></message>",
            "<message><body>\u0000</body></message>",
            "<message><body>\u001B[31m</body></message>",
            "<message><body>\uFFFF</body></message>",
            "<message>&amp</message>",
            "<message>& </message>",
            "<message x=\"<\"/>",
            "{\"type\":\"join\"}",
            "</stream:stream>"})
    void notOneWellFormedElementIsNotWellFormed(String message) {
        assertEquals(NOT_WELL_FORMED, refusal(message));
    }

    @Test
    void binaryLookingJunkIsNotWellFormed() {
        Random random = new Random(7395);
        for (int round = 0; round < 200; round++) {
            byte[] junk = new byte[1 + random.nextInt(512)];
            random.nextBytes(junk);
            junk[0] = '<';
            String message = new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1);
            StreamErrorCondition condition = refusal(message);
            assertEquals(true, condition == NOT_WELL_FORMED || condition == RESTRICTED_XML, condition::toString);
        }
    }

    @Test
    void aSupplementaryCharacterAsOneReferenceIsText() throws Exception {
        assertEquals("\uD83D\uDE00", stanza("<m>&#128512;</m>").text());
        assertEquals("\uD83D\uDE00", stanza("<m>\uD83D\uDE00</m>").text());
    }

    @Test
    void anElementWithTheReservedXmlPrefixIsABadNamespacePrefix() {
        XmppStreamException e = assertThrows(XmppStreamException.class,
                () -> XmppFraming.withDefaults().decode("<message xmlns=\"jabber:client\"><xml:lang/></message>"));
        assertEquals(StreamErrorCondition.BAD_NAMESPACE_PREFIX, e.condition());
    }
}
