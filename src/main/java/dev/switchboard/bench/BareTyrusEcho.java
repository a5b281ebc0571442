package dev.switchboard.bench;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.glassfish.tyrus.server.Server;

import java.nio.ByteBuffer;

/**
 * The peer to beat for echo: a plain annotated Tyrus endpoint on Tyrus's own Grizzly server, all
 * defaults — what a team would write without Switchboard.
 */
final class BareTyrusEcho implements AutoCloseable {

    /** The whole endpoint: text and binary back, asynchronously. */
    @ServerEndpoint("/echo")
    public static final class Echo {
        @OnMessage
        public void text(String message, Session session) {
            session.getAsyncRemote().sendText(message);
        }

        @OnMessage
        public void binary(ByteBuffer message, Session session) {
            session.getAsyncRemote().sendBinary(message);
        }
    }

    private final Server server;

    private BareTyrusEcho(Server server) {
        this.server = server;
    }

    static BareTyrusEcho start() throws Exception {
        Server server = new Server("127.0.0.1", -1, "/", null, Echo.class);
        server.start();
        return new BareTyrusEcho(server);
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.stop();
    }
}
