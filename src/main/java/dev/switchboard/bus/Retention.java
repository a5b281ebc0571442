package dev.switchboard.bus;

import java.time.Duration;

/**
 * How much of a channel's log is kept, and for how long.
 *
 * @param maxEvents     at most this many retained events
 * @param maxBytes      at most this many bytes of them
 * @param ttl           an event older than this goes (a recovering client has this long to come back) …
 * @param keepWhileSubscribed … except the newest this many while the channel has receivers on this
 *                      node (a room's history stays with the room however quiet it is)
 * @param linger        a channel without receivers is forgotten — its epoch with it — after this long
 * @param budget        the byte budget it shares with other channels
 */
public record Retention(int maxEvents, long maxBytes, Duration ttl, int keepWhileSubscribed, Duration linger,
                        LogBudget budget) {

    public Retention {
        if (maxEvents < 0 || maxBytes < 0 || keepWhileSubscribed < 0) {
            throw new IllegalArgumentException("negative retention bound");
        }
    }

    /** Nothing kept; the channel goes with its last receiver. */
    public static Retention none(LogBudget budget) {
        return new Retention(0, 0, Duration.ZERO, 0, Duration.ZERO, budget);
    }
}
