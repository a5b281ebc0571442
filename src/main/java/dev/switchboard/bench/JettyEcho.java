package dev.switchboard.bench;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.nio.ByteBuffer;

/**
 * The other echo peer: Jetty 12's WebSocket server with its defaults, the level the issue asks a
 * tuned standalone Switchboard to reach.
 */
final class JettyEcho implements AutoCloseable {

    /** Echoes text and binary back; Jetty's auto-demand reads the next frame once this returns. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            session.sendBinary(payload, callback); // the frame's buffer is released when the echo is written
        }
    }

    private final Server server;
    private final ServerConnector connector;

    private JettyEcho(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    static JettyEcho start() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(1 << 20);
            container.addMapping("/echo", (request, response, callback) -> new Echo());
        }));
        server.start();
        return new JettyEcho(server, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
