package dev.switchboard.stomp;

import dev.switchboard.connection.Broadcast;
import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.SecurityPolicy;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@code stomp}: STOMP 1.0/1.1/1.2 over WebSocket, text or binary messages, any number of frames
 * per message and frames split across messages. A refused frame gets an ERROR, then the close
 * code of its kind (1002 protocol, 1009 oversize, 1008 policy and limits, 1011 a server failure),
 * counted in metrics by its code. Every STOMP frame (heart-beats aside) counts against the
 * connection's {@code rate.messages-per-second}/{@code rate.burst}: STOMP has no error that leaves
 * the connection open, so a frame over the rate is refused like any other (ERROR, 1008).
 */
public final class StompEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/stomp";

    /**
     * The ERROR a client gets when its WebSocket message is refused at the transport, before any
     * STOMP frame of it reached the broker (a message far over {@code stomp.max-frame-bytes}):
     * sent ahead of the 1009 close, as for a frame the decoder refuses.
     */
    public static String oversizeError(long messageLimit) {
        String message = "message larger than " + messageLimit + " bytes: STOMP frames are at most stomp.max-frame-bytes";
        return new String(StompEncoder.encode(StompFrame.builder(StompCommand.ERROR).header("message", message)
                .header("content-type", "text/plain").body(message).build(), StompVersion.V1_2), StandardCharsets.UTF_8);
    }

    private final StompBroker broker;
    private final SecurityPolicy security;
    private final FloodGuard flood;
    private Connection connection;
    private StompSession session;

    public StompEndpoint(EndpointContext context, StompBroker broker, FloodGuard flood, SecurityPolicy security) {
        super(context);
        this.broker = broker;
        this.flood = flood;
        this.security = security;
    }

    @Override
    protected void onConnect(Connection connection, EndpointConfig config) {
        this.connection = connection;
        this.session = broker.open(new StompSession.Transport() {
            @Override
            public void send(Broadcast.Frame frame) {
                connection.send(frame);
            }

            @Override
            public void close(int code, String reason) {
                connection.close(code, reason);
            }

            @Override
            public long lastHeardNanos() {
                return connection.lastHeard();
            }

            @Override
            public boolean admit() {
                return flood.admit() == FloodGuard.Verdict.ADMIT;
            }

            @Override
            public void refused(String code) {
                connection.metrics().error(code);
            }

            @Override
            public void recovery(boolean complete) {
                connection.metrics().recovery(complete);
            }
        }, StompSecurity.of(security, connection.identity(), connection.remoteAddress()));
        connection.onTextWithBytes((text, utf8) -> receive(ByteBuffer.wrap(utf8))); // encoded once, measured by it
        connection.onBinary(this::receive);
    }

    private void receive(ByteBuffer bytes) {
        try {
            session.receive(bytes);
        } catch (StompException e) {
            session.refuse(e);
        } catch (RuntimeException e) { // the session turns its own failures into ERRORs; this is the last net
            session.refuse(StompException.internal());
            throw e;
        }
    }

    @Override
    protected void onDisconnect(Connection connection, CloseReason reason) {
        if (session != null) {
            session.closed();
        }
    }
}
