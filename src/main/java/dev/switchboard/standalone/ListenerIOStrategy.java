package dev.switchboard.standalone;

import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Context;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.IOEventLifeCycleListener;
import org.glassfish.grizzly.IOStrategy;
import org.glassfish.grizzly.Transport;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listener's Grizzly I/O strategy (same-thread or worker), except for accepts: Grizzly drops a
 * failed accept (EMFILE: no descriptor left) without a word, since it hands errors only to a
 * lifecycle listener and passes none for accepts. This one passes a listener that reports the
 * failure ({@link AcceptFailures}) and pauses accepting for {@link #ACCEPT_PAUSE_MILLIS} — the
 * connection stays in the backlog, so the selector would otherwise spin on it at full CPU.
 */
final class ListenerIOStrategy implements IOStrategy {

    private static final Logger LOG = Logger.getLogger(ListenerIOStrategy.class.getName());
    static final long ACCEPT_PAUSE_MILLIS = 100;

    private final IOStrategy delegate;
    private final AcceptFailures failures;
    private final ScheduledExecutorService timer;

    ListenerIOStrategy(IOStrategy delegate, AcceptFailures failures, ScheduledExecutorService timer) {
        this.delegate = delegate;
        this.failures = failures;
        this.timer = timer;
    }

    @Override
    public boolean executeIoEvent(Connection connection, IOEvent ioEvent) throws IOException {
        return executeIoEvent(connection, ioEvent, true);
    }

    @Override
    public boolean executeIoEvent(Connection connection, IOEvent ioEvent, boolean isIoEventEnabled) throws IOException {
        if (ioEvent != IOEvent.SERVER_ACCEPT) {
            return delegate.executeIoEvent(connection, ioEvent, isIoEventEnabled);
        }
        // both of Grizzly's strategies accept on the selector thread, without a listener
        connection.getTransport().fireIOEvent(ioEvent, connection, new IOEventLifeCycleListener.Adapter() {
            @Override
            public void onError(Context context, Object description) {
                acceptFailed(connection, description instanceof Throwable t ? t : new IOException(String.valueOf(description)));
            }
        });
        return true;
    }

    @Override
    public Executor getThreadPoolFor(Connection connection, IOEvent ioEvent) {
        return delegate.getThreadPoolFor(connection, ioEvent);
    }

    @Override
    public ThreadPoolConfig createDefaultWorkerPoolConfig(Transport transport) {
        return delegate.createDefaultWorkerPoolConfig(transport);
    }

    private void acceptFailed(Connection<?> server, Throwable error) {
        failures.failed(error);
        if (server instanceof NIOConnection nio && server.isOpen()) {
            try {
                nio.disableIOEvent(IOEvent.SERVER_ACCEPT);
                timer.schedule(() -> resumeAccepting(nio), ACCEPT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "cannot pause accepting", e);
            }
        }
    }

    private static void resumeAccepting(NIOConnection server) {
        try {
            if (server.isOpen()) {
                server.enableIOEvent(IOEvent.SERVER_ACCEPT);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot resume accepting", e);
        }
    }
}
