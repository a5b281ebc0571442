package dev.switchboard.admin;

import java.time.Duration;
import java.util.List;

/**
 * The rest of the cluster as {@code admin/connections} reaches it: every other node's counts and
 * pages of its connections, and closing a connection wherever it is. With {@code cluster=off}
 * there are none ({@link #NONE}); the cluster package implements it over the grid. Every call
 * waits at most {@code wait}: a node that has not answered by then is left out (and named).
 */
public interface OtherNodes extends AutoCloseable {

    /** A node's count of matching connections, or its absence ({@code count == -1}: it did not answer). */
    record Count(String node, int count) {
    }

    /** Answers the other nodes' questions from this node's connections. */
    void serve(LocalConnections local);

    /** Every other node in the grid now, each with its count of connections matching {@code filter} (-1: no answer). */
    List<Count> count(String filter, Duration wait);

    /** A page of {@code node}'s matching connections, oldest first; null when it did not answer. */
    List<ConnectionInfo> slice(String node, String filter, int offset, int limit, Duration wait);

    /** Has whichever other node holds {@code id} close it; false when none does (or none answered). */
    boolean close(String id, String by, Duration wait);

    /** Whether this node is a running member of its grid (not stopped, not in the middle of a merge). */
    boolean inGrid();

    @Override
    void close();

    /** cluster=off: this node is all there is. */
    OtherNodes NONE = new OtherNodes() {
        @Override
        public void serve(LocalConnections local) {
        }

        @Override
        public List<Count> count(String filter, Duration wait) {
            return List.of();
        }

        @Override
        public List<ConnectionInfo> slice(String node, String filter, int offset, int limit, Duration wait) {
            return null;
        }

        @Override
        public boolean close(String id, String by, Duration wait) {
            return false;
        }

        @Override
        public boolean inGrid() {
            return true;
        }

        @Override
        public void close() {
        }
    };

}
