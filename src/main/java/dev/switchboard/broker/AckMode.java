package dev.switchboard.broker;

import java.util.Optional;

/** How a subscription acknowledges (STOMP SUBSCRIBE's {@code ack} header, which Artemis and RabbitMQ share). */
public enum AckMode {
    /** Delivered is acknowledged. */
    AUTO("auto"), CLIENT("client"), CLIENT_INDIVIDUAL("client-individual");

    private final String header;

    AckMode(String header) {
        this.header = header;
    }

    /** The header's value for this mode. */
    public String header() {
        return header;
    }

    public static Optional<AckMode> parse(String header) {
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
