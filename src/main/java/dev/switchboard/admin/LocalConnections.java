package dev.switchboard.admin;

import dev.switchboard.connection.Connection;
import dev.switchboard.connection.ConnectionRegistry;
import dev.switchboard.security.GuardedConfigurator;
import dev.switchboard.security.Identity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's open WebSockets for {@code admin/connections}: counted and listed (filtered, oldest
 * first, a page at a time) and closed by an operator. The other nodes ask here through
 * {@link OtherNodes}.
 */
public final class LocalConnections {

    private static final Logger LOG = Logger.getLogger(LocalConnections.class.getName());

    /** The close an operator's DELETE makes. */
    public static final int CLOSE_CODE = 1008;
    public static final String CLOSE_REASON = "closed by operator";

    /** Oldest first; ties by id, so that pages of one listing do not overlap. */
    static final Comparator<ConnectionInfo> ORDER = Comparator.comparingLong(ConnectionInfo::since)
            .thenComparing(ConnectionInfo::id);

    private final ConnectionRegistry registry;
    private final Supplier<String> node;

    /** @param node this node's id in the grid (it changes after a split), or {@code local} with cluster=off */
    public LocalConnections(ConnectionRegistry registry, Supplier<String> node) {
        this.registry = registry;
        this.node = node;
    }

    public String node() {
        return node.get();
    }

    /** Lower case and trimmed, at most 200 characters: what {@link ConnectionInfo#matches} takes. */
    public static String normalise(String filter) {
        if (filter == null) {
            return "";
        }
        String f = filter.trim().toLowerCase(Locale.ROOT);
        return f.length() > 200 ? f.substring(0, 200) : f;
    }

    private List<ConnectionInfo> matching(String filter) {
        String node = node();
        List<ConnectionInfo> all = new ArrayList<>();
        for (Connection connection : registry.snapshot()) {
            ConnectionInfo info = info(connection, node);
            if (info.matches(filter)) {
                all.add(info);
            }
        }
        return all;
    }

    /** How many open connections match {@code filter} (normalised). */
    public int count(String filter) {
        return matching(filter).size();
    }

    /** The matching connections from {@code offset}, at most {@code limit}, oldest first. */
    public List<ConnectionInfo> slice(String filter, int offset, int limit) {
        List<ConnectionInfo> all = matching(filter);
        all.sort(ORDER);
        int from = Math.min(offset, all.size());
        return List.copyOf(all.subList(from, Math.min(all.size(), from + Math.max(0, limit))));
    }

    /**
     * Closes this node's connection {@code id} with 1008 "closed by operator", logging who asked;
     * false when no such connection is open here.
     */
    public boolean close(String id, String by) {
        Connection connection = registry.find(id);
        if (connection == null) {
            return false;
        }
        ConnectionInfo info = info(connection, node());
        LOG.log(Level.INFO, "Operator {0} closed connection {1} ({2} {3}, user {4}, from {5}) with {6} \"{7}\"",
                new Object[] {by, id, info.endpoint(), info.path(), info.user().isEmpty() ? "none" : info.user(),
                        info.remote(), Integer.toString(CLOSE_CODE), CLOSE_REASON});
        connection.close(CLOSE_CODE, CLOSE_REASON);
        return true;
    }

    static ConnectionInfo info(Connection connection, String node) {
        Identity identity = connection.identity();
        Object origin = connection.handshake().notes().get(GuardedConfigurator.ORIGIN);
        return new ConnectionInfo(connection.id(), node, connection.metrics().endpoint(), connection.path(),
                identity == null ? "" : identity.name(), connection.remoteAddress(),
                origin == null ? "" : origin.toString(), connection.subprotocol(), connection.openedAtMillis(),
                connection.messagesIn(), connection.messagesOut(), connection.bytesIn(), connection.bytesOut(),
                connection.queuedBytes());
    }
}
