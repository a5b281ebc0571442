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
    /** The namespace the {@code xml:} prefix is bound to (xml:lang). */
    public static final String XML = "http://www.w3.org/XML/1998/namespace";

    private XmppNamespaces() {
    }
}
