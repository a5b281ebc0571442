package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load tool's XMPP frames and look-ups, on frames as Prosody (single quotes) and others (double) write them. */
class XmppWireTest {

    @Test
    void opensAndClosesAsRfc7395Frames() {
        assertEquals("<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"localhost\" version=\"1.0\"/>",
                XmppWire.open("localhost"));
        assertEquals("<close xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\"/>", XmppWire.close());
    }

    @Test
    void plainAuthCarriesNameAndPasswordAfterNulBytes() {
        String auth = XmppWire.authPlain("alice", "pw");
        String b64 = auth.substring(auth.indexOf('>') + 1, auth.indexOf("</auth>"));
        assertEquals("\0alice\0pw", new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
        assertTrue(auth.contains("mechanism=\"PLAIN\""));
    }

    @Test
    void joinAndMessagesEscapeWhatTheyCarry() {
        assertEquals("<presence xmlns=\"jabber:client\" to=\"r@conference.localhost/a&amp;b\"><x xmlns=\"http://jabber.org/protocol/muc\">"
                + "<history maxstanzas=\"0\"/></x></presence>", XmppWire.join("r@conference.localhost", "a&b"));
        assertEquals("<message xmlns=\"jabber:client\" type=\"groupchat\" to=\"r@c\"><body>1 &lt; 2</body></message>",
                XmppWire.groupchat("r@c", "1 < 2"));
        assertEquals("<message xmlns=\"jabber:client\" type=\"chat\" to=\"b@localhost\"><body>&quot;hi&apos;</body></message>",
                XmppWire.chat("b@localhost", "\"hi'"));
    }

    @Test
    void rootNamesWithAndWithoutPrefix() {
        String features = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>";
        assertEquals("stream:features", XmppWire.rootName(features));
        assertEquals("features", XmppWire.localName(features));
        assertEquals("open", XmppWire.localName("<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\"/>"));
        assertEquals("message", XmppWire.localName("<?xml version='1.0'?><message/>"));
        assertEquals("", XmppWire.rootName("no element"));
    }

    @Test
    void attributesInEitherQuoteFromTheRootOnly() {
        String single = "<iq type='result' id='bind'><bind><jid>a@localhost/r</jid></bind></iq>";
        assertEquals("result", XmppWire.attribute(single, "type"));
        assertEquals("bind", XmppWire.attribute(single, "id"));
        String dbl = "<message from=\"r@c/o1\" type=\"groupchat\"><x type=\"child\"/></message>";
        assertEquals("groupchat", XmppWire.attribute(dbl, "type"));
        assertNull(XmppWire.attribute("<presence from='x'><x type='error'/></presence>", "type"));
        assertNull(XmppWire.attribute("<message xtype='a'/>", "type"), "a longer name ending in the same letters is another attribute");
        assertEquals("a&b", XmppWire.attribute("<m id='a&amp;b'/>", "id"));
    }

    @Test
    void bodiesAndBoundJids() {
        assertEquals("12:345", XmppWire.body("<message type='groupchat'><body>12:345</body></message>"));
        assertEquals("x<y", XmppWire.body("<message><bodyless/><body xml:lang='en'>x&lt;y</body></message>"));
        assertEquals("", XmppWire.body("<message><body/></message>"));
        assertNull(XmppWire.body("<message type='groupchat'><subject/></message>"));
        assertEquals("u1@localhost/abc", XmppWire.boundJid("<iq type='result' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>u1@localhost/abc</jid></bind></iq>"));
        assertEquals("u1@localhost", XmppWire.bare("u1@localhost/abc"));
        assertEquals("u1@localhost", XmppWire.bare("u1@localhost"));
    }

    @Test
    void featuresSayWhatTheServerOffersAndRequires() {
        String sasl = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>"
                + "<mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>";
        assertTrue(XmppWire.offersMechanism(sasl, "PLAIN"));
        assertTrue(XmppWire.offersMechanism(sasl, "ANONYMOUS"));
        assertFalse(XmppWire.offersMechanism(sasl, "SCRAM-SHA-1"));
        assertFalse(XmppWire.offersBind(sasl));
        String optional = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
                + "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>";
        assertTrue(XmppWire.offersBind(optional));
        assertFalse(XmppWire.needsSession(optional));
        assertTrue(XmppWire.needsSession("<features><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/>"
                + "<session xmlns=\"urn:ietf:params:xml:ns:xmpp-session\"/></features>"));
        assertFalse(XmppWire.needsSession("<features><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></features>"));
    }

    @Test
    void statusCodesInEitherQuote() {
        assertTrue(XmppWire.hasStatus("<presence><x><status code='110'/></x></presence>", 110));
        assertTrue(XmppWire.hasStatus("<presence><x><status code=\"110\"/></x></presence>", 110));
        assertFalse(XmppWire.hasStatus("<presence><x><status code='201'/></x></presence>", 110));
    }

    @Test
    void escapingRoundTrips() {
        String text = "<a href=\"x\">'&'</a> &#65; &#x42; &unknown;";
        assertEquals(text, XmppWire.unescape(XmppWire.escape(text)));
        assertEquals("A B &unknown;", XmppWire.unescape("&#65; &#x42; &unknown;"));
        assertEquals("plain", XmppWire.escape("plain"));
    }
}
