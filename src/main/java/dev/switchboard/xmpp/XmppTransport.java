package dev.switchboard.xmpp;

import dev.switchboard.ops.EndpointMetrics;

/**
 * What an XMPP stream needs from the connection it runs on: a WebSocket (RFC 7395, one element
 * per message, {@code <open/>} and {@code <close/>}) or a TCP socket (RFC 6120, one long document
 * between {@code <stream:stream>} and {@code </stream:stream>}). Every method hands bytes to the
 * connection's outbox and returns; none blocks.
 */
public interface XmppTransport {

    /** Where STARTTLS stands on this connection (RFC 6120 §5). */
    enum Tls {
        /** Not on offer: a WebSocket (TLS, if any, is the HTTP connection's), or TCP without a keystore. */
        UNAVAILABLE,
        /** TCP with a keystore, not yet secured: offered, and required before SASL. */
        OFFERED,
        /** The TLS handshake is done. */
        ESTABLISHED
    }

    /**
     * The server's stream header, for a new stream and for each restart (after STARTTLS and after
     * SASL success): WebSocket {@code <open/>}; TCP the XML declaration and {@code <stream:stream>}.
     *
     * @param from     the server's domain
     * @param streamId a fresh stream id (RFC 6120 §4.7.3)
     */
    void open(String from, String streamId);

    /** One complete top-level element (a stanza, the features, a SASL reply), already serialised. */
    void send(String element);

    /**
     * Sends SASL's {@code <success/>}, after which the client opens a new stream (RFC 6120 §6.4.6):
     * on TCP the next bytes are a new document, read by a fresh parser; a WebSocket's messages are
     * each a document already.
     */
    default void sendSuccessAndRestart(String success) {
        send(success);
    }

    /**
     * Ends the stream normally (RFC 6120 §4.4): WebSocket {@code <close/>} then close code 1000;
     * TCP {@code </stream:stream>}, then the socket. Later calls do nothing.
     */
    void close();

    /**
     * A stream error (RFC 6120 §4.9): the {@code <stream:error>} element, then the stream ends as in
     * {@link #close()}. A stream error is unrecoverable: nothing the client sent after it is read.
     */
    void fail(StreamErrorCondition condition, String text);

    Tls tls();

    /**
     * STARTTLS (RFC 6120 §5.4.2.3): sends {@code <proceed/>}, discards anything the client sent
     * after its {@code <starttls/>} (§5.4.3.3: never process data from before the handshake as if
     * it came after), and runs the TLS handshake; the client then opens a new stream. Only called
     * while {@link #tls()} is {@link Tls#OFFERED}.
     */
    void startTls();

    /** The peer's address, for logs and the login throttle. */
    String remoteAddress();

    /** This connection's endpoint metrics ({@code xmpp} or {@code xmpp-tcp}). */
    EndpointMetrics metrics();
}
