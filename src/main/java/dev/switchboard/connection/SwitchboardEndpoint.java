package dev.switchboard.connection;

import dev.switchboard.transport.IdleTimer;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;

import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lifecycle every Switchboard endpoint shares: limits applied on open, the connection registered
 * and counted, its close counted by code. A feature's endpoint only says what to do with messages.
 * The container makes one instance per connection.
 * <p>
 * Not abstract on purpose: an application server's Tyrus scans the WAR for every {@code Endpoint}
 * subclass and warns at deploy about an abstract one ("Deployed class can't be abstract nor
 * interface"), which reads like a broken endpoint. Each feature's endpoint overrides
 * {@link #onConnect}; this class is never deployed itself (it is registered by no one).
 */
public class SwitchboardEndpoint extends Endpoint {

    private static final Logger LOG = Logger.getLogger(SwitchboardEndpoint.class.getName());

    private final EndpointContext context;
    private Connection connection;

    protected SwitchboardEndpoint(EndpointContext context) {
        this.context = context;
    }

    /** A new connection is open; add its message handlers here (every feature's endpoint does). */
    protected void onConnect(Connection connection, EndpointConfig config) {
        throw new UnsupportedOperationException(getClass().getName() + " must say what to do with a connection");
    }

    /** The connection has closed (by either side, or dropped); release what it held. */
    protected void onDisconnect(Connection connection, CloseReason reason) {
    }

    @Override
    public final void onOpen(Session session, EndpointConfig config) {
        ConnectionLimits limits = context.limits();
        // Idle connections are closed by the KeepAlive sweep (1001), not by the container (which says 1006).
        // Negative, not 0: with any timeout >= 0 Tyrus re-arms an idle timer on every message in and
        // out — a task on its scheduler per message, which cost more than the rest of a fan-out.
        // Payara's Tyrus schedules one even at -1: its scheduler is quietened first (IdleTimer).
        IdleTimer.quiet(session, limits.fastPath());
        session.setMaxIdleTimeout(-1);
        // Fragmented messages are bounded while they are put together; whole ones in Connection.
        session.setMaxTextMessageBufferSize(limits.maxMessageBytes());
        session.setMaxBinaryMessageBufferSize(limits.maxMessageBytes());
        connection = new Connection(session, context.metrics(), limits, context.timers());
        context.connections().add(connection);
        context.metrics().opened();
        onConnect(connection, config);
    }

    @Override
    public final void onClose(Session session, CloseReason reason) {
        if (connection == null) {
            return;
        }
        context.connections().remove(connection);
        context.metrics().closed(reason.getCloseCode().getCode());
        connection.closed(); // whoever closed, the transport goes within the close grace
        // The container may report a close on whatever thread found it — a fan-out lane or a sender
        // inside a send — so the departure (leaving rooms, giving back unacked messages) always runs
        // on the application's pool, holding nothing of the reporter's.
        try {
            context.tasks().execute(() -> depart(reason));
        } catch (RejectedExecutionException stopping) {
            depart(reason);
        }
    }

    private void depart(CloseReason reason) {
        try {
            onDisconnect(connection, reason);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "departure of " + connection.id() + " failed", e);
        }
    }

    @Override
    public void onError(Session session, Throwable error) {
        LOG.log(Level.FINE, "WebSocket error on " + session.getId(), error);
    }
}
