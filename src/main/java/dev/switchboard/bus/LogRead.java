package dev.switchboard.bus;

import java.util.List;

/**
 * What a channel's log still holds after an offset: {@code complete} when it is every retained
 * event after it in that epoch (so a client that saw up to there misses nothing), else what is left.
 */
public record LogRead(boolean complete, List<Sequenced> events) {

    public static LogRead gone() {
        return new LogRead(false, List.of());
    }
}
