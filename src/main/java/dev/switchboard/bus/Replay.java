package dev.switchboard.bus;

import java.util.List;

/**
 * What a newly attached receiver gets before live events: for a reconnect with {@code since},
 * exactly what it missed when the log still holds it ({@code recovered} true), else (or without
 * {@code since}) the channel's last events; {@code recovered} is null when no recovery was asked.
 */
public record Replay(List<Sequenced> events, Boolean recovered) {
}
