package dev.switchboard.chat;

import java.util.Locale;
import java.util.Optional;

/** A member's availability; {@code unavailable} is only ever announced by the server, on leave. */
public enum Presence {
    AVAILABLE, AWAY, DND, UNAVAILABLE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The presence a client may choose: available, away or dnd. */
    public static Optional<Presence> choosable(String wire) {
        return switch (wire) {
            case "available" -> Optional.of(AVAILABLE);
            case "away" -> Optional.of(AWAY);
            case "dnd" -> Optional.of(DND);
            default -> Optional.empty();
        };
    }
}
