package dev.switchboard.xmpp;

/** The namespace names the stanza layer compares against (RFC 6120, RFC 7395). */
public final class XmppNamespaces {

    /** RFC 7395 §3.3: the framing elements {@code <open/>} and {@code <close/>}. */
    public static final String FRAMING = "urn:ietf:params:xml:ns:xmpp-framing";
    /** RFC 6120 §4.8.2: the stream namespace ({@code stream:features}, {@code stream:error}). */
    public static final String STREAMS = "http://etherx.jabber.org/streams";
    /** RFC 6120 §4.9.3: the namespace of a stream error's condition and text. */
    public static final String STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
    /** RFC 6120 §4.8.3: the content namespace of a client stream. */
    public static final String CLIENT = "jabber:client";
    public static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static final String BIND = "urn:ietf:params:xml:ns:xmpp-bind";
    public static final String STANZA_ERRORS = "urn:ietf:params:xml:ns:xmpp-stanzas";
    /** RFC 6120 §5: STARTTLS. */
    public static final String TLS = "urn:ietf:params:xml:ns:xmpp-tls";
    /** RFC 3921 §3: the session establishment older clients still ask for (answered, nothing to do). */
    public static final String SESSION = "urn:ietf:params:xml:ns:xmpp-session";
    /** RFC 6121 §2: the roster. */
    public static final String ROSTER = "jabber:iq:roster";
    /** XEP-0199. */
    public static final String PING = "urn:xmpp:ping";
    /** XEP-0030. */
    public static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    public static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    /** XEP-0045: a join's {@code <x/>}, and the occupant information in presence. */
    public static final String MUC = "http://jabber.org/protocol/muc";
    public static final String MUC_USER = "http://jabber.org/protocol/muc#user";
    /** XEP-0203: when a history message was first sent. */
    public static final String DELAY = "urn:xmpp:delay";
    /** XEP-0359: the room's id of a message, the one id every member sees. */
    public static final String STANZA_ID = "urn:xmpp:sid:0";
    /** XEP-0085: typing notifications. */
    public static final String CHAT_STATES = "http://jabber.org/protocol/chatstates";
    /** The namespace the {@code xml:} prefix is bound to (xml:lang). */
    public static final String XML = "http://www.w3.org/XML/1998/namespace";
    /** The namespace the {@code xmlns:} prefix is bound to (Namespaces in XML §3): never an element's. */
    public static final String XMLNS = "http://www.w3.org/2000/xmlns/";

    private XmppNamespaces() {
    }
}
