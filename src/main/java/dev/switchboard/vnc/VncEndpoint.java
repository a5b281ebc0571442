package dev.switchboard.vnc;

import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * {@code vnc/{target}}: a WebSocket-to-TCP bridge to a VNC server named in {@code vnc.targets}.
 * An unknown name is closed with 1008 right after the handshake (so browsers see the code).
 */
public final class VncEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/vnc/{target}";
    public static final String SUBPROTOCOL = "binary";

    private final VncGateway gateway;
    private String target;
    private VncBridge bridge;

    public VncEndpoint(EndpointContext context, VncGateway gateway) {
        super(context);
        this.gateway = gateway;
    }

    @Override
    protected synchronized void onConnect(Connection connection, EndpointConfig config) {
        String name = connection.handshake().path().get("target");
        if (gateway.targets().address(name).isEmpty()) {
            connection.close(1008, "unknown VNC target");
            return;
        }
        target = name;
        bridge = gateway.open(target, new VncBridge.Browser() {
            @Override
            public void send(ByteBuffer bytes, Consumer<Boolean> sent) {
                connection.sendBinary(bytes, sent);
            }

            @Override
            public void close(int code, String reason) {
                connection.close(code, reason);
            }
        });
        VncBridge open = bridge;
        connection.onBinary(open::fromBrowser);
        connection.onText(text -> open.close(1003, "the VNC bridge carries binary messages only"));
    }

    @Override
    protected synchronized void onDisconnect(Connection connection, CloseReason reason) {
        if (bridge != null) {
            bridge.browserClosed();
            gateway.closed(target);
            bridge = null;
        }
    }
}
