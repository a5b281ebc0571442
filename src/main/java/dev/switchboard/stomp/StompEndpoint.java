package dev.switchboard.stomp;

import dev.switchboard.bus.Broadcast;
import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.security.SecurityPolicy;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@code stomp}: STOMP 1.0/1.1/1.2 over WebSocket, text or binary messages, any number of frames
 * per message and frames split across messages. A refused frame gets an ERROR, then the close
 * code of its kind (1002 protocol, 1009 oversize, 1008 policy).
 */
public final class StompEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/stomp";

    private final StompBroker broker;
    private final SecurityPolicy security;
    private Connection connection;
    private StompSession session;

    public StompEndpoint(EndpointContext context, StompBroker broker, SecurityPolicy security) {
        super(context);
        this.broker = broker;
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
        }, StompSecurity.of(security, connection.identity(), connection.remoteAddress()));
        connection.onText(text -> receive(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
        connection.onBinary(this::receive);
    }

    private void receive(ByteBuffer bytes) {
        try {
            session.receive(bytes);
        } catch (StompException e) {
            connection.metrics().error(e.kind().name().toLowerCase(java.util.Locale.ROOT));
            session.sendError(e);
            connection.close(e.closeCode(), e.getMessage());
        }
    }

    @Override
    protected void onDisconnect(Connection connection, CloseReason reason) {
        if (session != null) {
            session.closed();
        }
    }
}
