package dev.switchboard.echo;

import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import jakarta.websocket.EndpointConfig;

/**
 * {@code echo}: every text and binary message comes back unchanged, as the same type, in order.
 * The size (1009) and UTF-8 (1007) rules are enforced by the container through the connection limits.
 */
public final class EchoEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/echo";

    public EchoEndpoint(EndpointContext context) {
        super(context);
    }

    @Override
    protected void onConnect(Connection connection, EndpointConfig config) {
        connection.onTextWithBytes(connection::sendText); // encoded once, for the size rule and the reply
        connection.onBinary(connection::sendBinary);
    }
}
