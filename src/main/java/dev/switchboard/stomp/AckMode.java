package dev.switchboard.stomp;

import java.util.Optional;

/** SUBSCRIBE's {@code ack} header. */
public enum AckMode {
    AUTO("auto"), CLIENT("client"), CLIENT_INDIVIDUAL("client-individual");

    private final String header;

    AckMode(String header) {
        this.header = header;
    }

    static Optional<AckMode> parse(String header) {
        if (header == null) {
            return Optional.of(AUTO);
        }
        for (AckMode mode : values()) {
            if (mode.header.equals(header)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
