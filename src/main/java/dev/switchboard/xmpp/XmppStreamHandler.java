package dev.switchboard.xmpp;

/**
 * What a connection hands the XMPP stream on top of it, in the order it read them. Called by one
 * thread at a time per connection.
 */
public interface XmppStreamHandler {

    /** A stream header: WebSocket {@code <open/>}, TCP {@code <stream:stream>} (its attributes as parsed). */
    void opened(XmppFrame.Open open);

    /** A top-level element of the stream: a stanza, SASL, STARTTLS, bind… */
    void received(XmlElement element);

    /** The client ended the stream: WebSocket {@code <close/>}, TCP {@code </stream:stream>}. */
    void closedByClient();

    /** What the client sent broke a rule (not well-formed, restricted XML, too big): the stream ends with this error. */
    void malformed(XmppStreamException error);

    /** The connection is gone (closed, dropped, or ended by the server): the session leaves everything it joined. */
    void disconnected();
}
