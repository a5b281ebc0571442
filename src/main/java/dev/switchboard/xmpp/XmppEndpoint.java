package dev.switchboard.xmpp;

import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.ops.EndpointMetrics;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;

/**
 * {@code xmpp}: XMPP over WebSocket (RFC 7395). Each text message is one element, decoded by
 * {@link XmppFraming} and handed to the stream; what the stream sends goes out one element per
 * message. A binary message closes with 1003 (RFC 7395 §3.2: text frames only).
 */
public final class XmppEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/xmpp";
    public static final String SUBPROTOCOL = "xmpp";

    private final XmppService service;
    private final XmppFraming framing;
    private XmppStreamHandler stream;

    public XmppEndpoint(EndpointContext context, XmppService service, XmppFraming framing) {
        super(context);
        this.service = service;
        this.framing = framing;
    }

    @Override
    protected void onConnect(Connection connection, EndpointConfig config) {
        if (!SUBPROTOCOL.equals(connection.subprotocol())) {
            // RFC 7395 §3.1: without the xmpp subprotocol there is no XMPP on this connection
            connection.metrics().error("no-subprotocol");
            connection.close(1002, "offer the 'xmpp' subprotocol");
            return;
        }
        XmppStreamHandler handler = service.stream(new WebSocketTransport(connection));
        this.stream = handler;
        connection.onText(text -> receive(handler, text));
        connection.onBinary(data -> {
            connection.metrics().error("binary-frame");
            connection.close(1003, "XMPP over WebSocket is text frames only");
        });
    }

    private void receive(XmppStreamHandler handler, String text) {
        XmppFrame frame;
        try {
            frame = framing.decode(text);
        } catch (XmppStreamException e) {
            handler.malformed(e);
            return;
        }
        if (frame instanceof XmppFrame.Open open) {
            handler.opened(open);
        } else if (frame instanceof XmppFrame.Close) {
            handler.closedByClient();
        } else {
            handler.received(frame.element());
        }
    }

    @Override
    protected void onDisconnect(Connection connection, CloseReason reason) {
        if (stream != null) {
            stream.disconnected();
        }
    }

    /** The stream's bytes as RFC 7395 frames them: one element per text message. */
    private static final class WebSocketTransport implements XmppTransport {
        private final Connection connection;
        private volatile boolean ended;

        WebSocketTransport(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void open(String from, String streamId) {
            connection.sendText(XmppWriter.open(from, streamId));
        }

        @Override
        public void send(String element) {
            if (!ended) {
                connection.sendText(element);
            }
        }

        @Override
        public void close() {
            if (!ended) {
                ended = true;
                connection.sendText(XmppWriter.CLOSE);
                connection.close(1000, "stream closed");
            }
        }

        @Override
        public void fail(StreamErrorCondition condition, String text) {
            if (!ended) {
                connection.sendText(XmppWriter.streamError(condition, text));
                close();
            }
        }

        @Override
        public Tls tls() {
            return Tls.UNAVAILABLE;
        }

        @Override
        public void startTls() {
            throw new IllegalStateException("no STARTTLS on a WebSocket");
        }

        @Override
        public String remoteAddress() {
            return connection.remoteAddress();
        }

        @Override
        public EndpointMetrics metrics() {
            return connection.metrics();
        }
    }
}
