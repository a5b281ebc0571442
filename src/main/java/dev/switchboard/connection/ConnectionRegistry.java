package dev.switchboard.connection;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every open WebSocket of the server, whatever its endpoint: for {@code max-connections} and for shutdown. */
public final class ConnectionRegistry {

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final Object emptied = new Object();

    void add(Connection connection) {
        open.add(connection);
    }

    void remove(Connection connection) {
        if (open.remove(connection) && open.isEmpty()) {
            synchronized (emptied) {
                emptied.notifyAll();
            }
        }
    }

    void forEach(java.util.function.Consumer<Connection> action) {
        open.forEach(action);
    }

    /** The open connections now, in no order (for {@code admin/connections}). */
    public List<Connection> snapshot() {
        return List.copyOf(open);
    }

    /** The open connection with this id, or null. */
    public Connection find(String id) {
        for (Connection connection : open) {
            if (connection.id().equals(id)) {
                return connection;
            }
        }
        return null;
    }

    public int count() {
        return open.size();
    }

    /** Closes every open connection with {@code code} (1001 at shutdown), without waiting. */
    public void closeAll(int code, String reason) {
        for (Connection connection : List.copyOf(open)) {
            connection.close(code, reason);
        }
    }

    /** Waits until no connection is open, at most {@code timeout}; true when none is. */
    public boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (emptied) {
            while (!open.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                emptied.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }
}
