package dev.switchboard.xmpp;

/** What one WebSocket text message of the {@code xmpp} subprotocol carries (RFC 7395 §3.3). */
public sealed interface XmppFrame permits XmppFrame.Open, XmppFrame.Close, XmppFrame.Stanza {

    /** The element as parsed, attributes and children included. */
    XmlElement element();

    /** {@code <open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to=… version="1.0"/>}: a stream (re)start. */
    record Open(XmlElement element) implements XmppFrame {
        /** The domain the client asks for; null when absent. */
        public String to() {
            return element.attribute("to");
        }

        public String from() {
            return element.attribute("from");
        }

        /** RFC 7395 §3.3.1 requires "1.0"; null when absent. */
        public String version() {
            return element.attribute("version");
        }

        public String lang() {
            return element.attribute("xml:lang");
        }
    }

    /** {@code <close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>}: the stream ends (RFC 7395 §3.6). */
    record Close(XmlElement element) implements XmppFrame {
        public String seeOtherUri() {
            return element.attribute("see-other-uri");
        }
    }

    /** Any other element: a stanza, or a stream-level element such as SASL {@code <auth/>}. */
    record Stanza(XmlElement element) implements XmppFrame {
    }
}
