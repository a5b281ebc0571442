package dev.switchboard.bench;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One lean XMPP-over-WebSocket client session for the load tool: RFC 7395 {@code <open/>}, SASL
 * PLAIN (any password: both servers are run with open authentication) or ANONYMOUS when PLAIN is
 * not offered, the stream restart, resource binding and the session IQ where a server still
 * requires it. Once bound, every stanza goes to the scenario's {@code stanzas} callback, on the
 * connection's event loop. It runs as a {@link LoadClient.Handler}: frames arrive whole, one
 * element each.
 */
final class XmppClient implements LoadClient.Handler {

    private enum State { OPENING, AUTHENTICATING, RESTARTING, BINDING, SESSION, BOUND, FAILED }

    private final String domain;
    private final String user;
    private final Consumer<String> stanzas;
    private final CompletableFuture<String> bound = new CompletableFuture<>();
    private volatile LoadClient.Conn conn;
    private State state = State.OPENING; // on the connection's event loop only
    private String jid;

    /** A session for {@code user}@{@code domain}; {@code stanzas} receives every stanza after binding. */
    XmppClient(String domain, String user, Consumer<String> stanzas) {
        this.domain = domain;
        this.user = user;
        this.stanzas = stanzas;
    }

    /** Opens the stream on {@code conn} (its WebSocket handshake done); {@link #bound()} completes with the full JID. */
    void start(LoadClient.Conn conn) {
        this.conn = conn;
        conn.send(XmppWire.open(domain));
    }

    CompletableFuture<String> bound() {
        return bound;
    }

    /** The full JID the server bound, once {@link #bound()} has completed. */
    String jid() {
        return jid;
    }

    void send(String stanza) {
        conn.send(stanza);
    }

    LoadClient.Conn conn() {
        return conn;
    }

    @Override
    public void text(String frame) {
        if (state == State.BOUND) {
            stanzas.accept(frame);
            return;
        }
        String name = XmppWire.localName(frame);
        if (name.equals("open")) {
            return; // the features follow in the next frame
        }
        if (name.equals("error") || name.equals("close") || name.equals("failure")) {
            fail(frame);
            return;
        }
        switch (state) {
            case OPENING -> {
                if (!name.equals("features")) {
                    return;
                }
                if (XmppWire.offersMechanism(frame, "PLAIN")) {
                    conn.send(XmppWire.authPlain(user, "bench"));
                } else if (XmppWire.offersMechanism(frame, "ANONYMOUS")) {
                    conn.send(XmppWire.authAnonymous());
                } else {
                    fail(frame);
                    return;
                }
                state = State.AUTHENTICATING;
            }
            case AUTHENTICATING -> {
                if (name.equals("success")) {
                    state = State.RESTARTING;
                    conn.send(XmppWire.open(domain));
                }
            }
            case RESTARTING -> {
                if (name.equals("features") && XmppWire.offersBind(frame)) {
                    state = XmppWire.needsSession(frame) ? State.SESSION : State.BINDING;
                    conn.send(XmppWire.bind("bind"));
                }
            }
            case BINDING, SESSION -> {
                if (!name.equals("iq") || !"bind".equals(XmppWire.attribute(frame, "id")) && !"sess".equals(XmppWire.attribute(frame, "id"))) {
                    return;
                }
                if (!"result".equals(XmppWire.attribute(frame, "type"))) {
                    fail(frame);
                } else if ("bind".equals(XmppWire.attribute(frame, "id"))) {
                    jid = XmppWire.boundJid(frame);
                    if (state == State.SESSION) {
                        conn.send(XmppWire.session("sess"));
                    } else {
                        online();
                    }
                } else {
                    online();
                }
            }
            default -> {
            }
        }
    }

    private void online() {
        state = State.BOUND;
        bound.complete(jid);
    }

    private void fail(String frame) {
        state = State.FAILED;
        bound.completeExceptionally(new IOException("XMPP login of " + user + " failed: " + frame));
    }
}
