package dev.switchboard.xmpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XmppWriterTest {

    private final XmppFraming framing = XmppFraming.withDefaults();

    private XmlElement decode(String message) throws XmppStreamException {
        return assertInstanceOf(XmppFrame.Stanza.class, framing.decode(message)).element();
    }

    @Test
    void openIsWhatStropheAndRfc7395Expect() throws Exception {
        String open = XmppWriter.open("localhost", "s-1");
        assertEquals("<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" from=\"localhost\" id=\"s-1\" version=\"1.0\" xml:lang=\"en\"/>", open);
        assertTrue(open.startsWith("<open "), "Strophe.js recognises the open by this prefix");
        XmppFrame.Open back = assertInstanceOf(XmppFrame.Open.class, framing.decode(open));
        assertEquals("localhost", back.from());
        assertEquals("1.0", back.version());
        assertEquals("en", back.lang());
    }

    @Test
    void closeIsExactlyTheStringStropheCompares() throws Exception {
        assertEquals("<close xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" />", XmppWriter.CLOSE);
        assertEquals(XmppWriter.CLOSE, XmppWriter.close(null));
        assertInstanceOf(XmppFrame.Close.class, framing.decode(XmppWriter.CLOSE));
        String redirect = XmppWriter.close("wss://other.example/xmpp?a=1&b=2");
        assertTrue(redirect.startsWith("<close "));
        assertEquals("wss://other.example/xmpp?a=1&b=2",
                assertInstanceOf(XmppFrame.Close.class, framing.decode(redirect)).seeOtherUri());
    }

    @Test
    void streamErrorDeclaresItsPrefixAndEachChildItsNamespace() throws Exception {
        assertEquals("<stream:error xmlns:stream=\"http://etherx.jabber.org/streams\">"
                        + "<not-well-formed xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/></stream:error>",
                XmppWriter.streamError(StreamErrorCondition.NOT_WELL_FORMED, null));
        String withText = XmppWriter.streamError(StreamErrorCondition.POLICY_VIOLATION, "stanza over 262144 bytes <sic>");
        assertEquals("<stream:error xmlns:stream=\"http://etherx.jabber.org/streams\">"
                + "<policy-violation xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"
                + "<text xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\" xml:lang=\"en\">stanza over 262144 bytes &lt;sic&gt;</text>"
                + "</stream:error>", withText);
        XmlElement error = decode(withText);
        assertTrue(error.is("error", XmppNamespaces.STREAMS));
        assertTrue(error.elements().get(0).is("policy-violation", XmppNamespaces.STREAM_ERRORS));
    }

    @Test
    void conditionNamesAreRfc6120s() {
        assertEquals("restricted-xml", StreamErrorCondition.RESTRICTED_XML.elementName());
        assertEquals("invalid-namespace", StreamErrorCondition.INVALID_NAMESPACE.elementName());
        assertEquals("see-other-host", StreamErrorCondition.SEE_OTHER_HOST.elementName());
    }

    @Test
    void streamFeaturesUseTheStreamPrefixOnceAndDefaultNamespacesBelow() throws Exception {
        XmlElement features = XmlElement.builder("features", XmppNamespaces.STREAMS)
                .child(XmlElement.builder("mechanisms", XmppNamespaces.SASL)
                        .textChild("mechanism", XmppNamespaces.SASL, "SCRAM-SHA-256")
                        .textChild("mechanism", XmppNamespaces.SASL, "PLAIN").build())
                .build();
        String xml = XmppWriter.write(features);
        assertEquals("<stream:features xmlns:stream=\"http://etherx.jabber.org/streams\">"
                + "<mechanisms xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"><mechanism>SCRAM-SHA-256</mechanism>"
                + "<mechanism>PLAIN</mechanism></mechanisms></stream:features>", xml);
        assertEquals(features, decode(xml));
    }

    @Test
    void textAndAttributesAreEscaped() throws Exception {
        XmlElement message = XmlElement.builder("message", XmppNamespaces.CLIENT)
                .attribute("to", "a\"b'c<d>&e@localhost")
                .attribute("id", "tab\tline\ncr\r")
                .textChild("body", XmppNamespaces.CLIENT, "if (a < b && c > d) { say(\"'hi'\"); }\r\nnext\tline")
                .build();
        String xml = XmppWriter.write(message);
        assertEquals("<message xmlns=\"jabber:client\" to=\"a&quot;b&apos;c&lt;d&gt;&amp;e@localhost\" id=\"tab&#x9;line&#xA;cr&#xD;\">"
                + "<body>if (a &lt; b &amp;&amp; c &gt; d) { say(&quot;&apos;hi&apos;&quot;); }&#xD;\nnext\tline</body></message>", xml);
        assertEquals(message, decode(xml));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0001", "\u0008", "\u000B", "\u001F", "\uFFFE", "\uFFFF", "\uD800", "\uDC00"})
    void forbiddenCharactersAreNeverWritten(String bad) throws Exception {
        XmlElement message = XmlElement.builder("message", XmppNamespaces.CLIENT).attribute("id", "x" + bad)
                .textChild("body", XmppNamespaces.CLIENT, "a" + bad + "b").build();
        String xml = XmppWriter.write(message);
        assertTrue(xml.indexOf(bad) < 0, xml);
        XmlElement back = decode(xml);
        assertEquals("a\uFFFDb", back.childText("body", XmppNamespaces.CLIENT));
        assertEquals("x\uFFFD", back.attribute("id"));
    }

    @Test
    void aSurrogatePairIsKept() throws Exception {
        XmlElement message = XmlElement.builder("message", XmppNamespaces.CLIENT)
                .textChild("body", XmppNamespaces.CLIENT, "\uD83D\uDE00").build();
        assertEquals(message, decode(XmppWriter.write(message)));
    }

    @Test
    void namespacedAttributesGetAPrefixAndAnUndeclaredChildGetsXmlnsEmpty() throws Exception {
        XmlElement odd = XmlElement.builder("x", "urn:a").attribute("{urn:b}flag", "1").attribute("xml:lang", "fr")
                .child(XmlElement.empty("plain", "")).build();
        String xml = XmppWriter.write(odd);
        assertEquals("<x xmlns=\"urn:a\" xmlns:ns0=\"urn:b\" ns0:flag=\"1\" xml:lang=\"fr\"><plain xmlns=\"\"/></x>", xml);
        assertEquals(odd, decode(xml));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"SCRAM-SHA-1\">biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM</auth>",
            "<iq xmlns=\"jabber:client\" type=\"set\" id=\"_bind_auth_2\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><resource>strophe</resource></bind></iq>",
            "<iq xmlns=\"jabber:client\" type=\"set\" id=\"_session_auth_2\"><session xmlns=\"urn:ietf:params:xml:ns:xmpp-session\"/></iq>",
            "<presence xmlns=\"jabber:client\"><show>dnd</show><status>In a meeting — back at 3</status><priority>1</priority></presence>",
            "<presence xmlns=\"jabber:client\" to=\"lobby@conference.localhost/alice\"><x xmlns=\"http://jabber.org/protocol/muc\"><history maxstanzas=\"20\"/></x></presence>",
            "<message xmlns=\"jabber:client\" to=\"lobby@conference.localhost\" type=\"groupchat\" id=\"8f1c\"><body>hi all &amp; welcome</body></message>",
            "<message xmlns=\"jabber:client\" to=\"bob@localhost\" type=\"chat\" id=\"m1\"><body>hey</body><active xmlns=\"http://jabber.org/protocol/chatstates\"/></message>",
            "<iq xmlns=\"jabber:client\" type=\"get\" id=\"ping-1\" to=\"localhost\"><ping xmlns=\"urn:xmpp:ping\"/></iq>",
            "<iq xmlns=\"jabber:client\" type=\"result\" id=\"ping-2\" to=\"localhost\"/>",
            "<iq xmlns=\"jabber:client\" type=\"get\" id=\"r1\"><query xmlns=\"jabber:iq:roster\"/></iq>",
            "<iq xmlns=\"jabber:client\" type=\"get\" id=\"d1\" to=\"conference.localhost\"><query xmlns=\"http://jabber.org/protocol/disco#info\"/></iq>"})
    void realisticStanzasRoundTripToTheSameText(String stanza) throws Exception {
        // (as Strophe.js and xmpp.js write them, xmlns moved first: the writer declares before attributes)
        XmlElement element = decode(stanza);
        assertEquals(stanza, XmppWriter.write(element));
        assertEquals(element, decode(XmppWriter.write(element)));
    }
}
