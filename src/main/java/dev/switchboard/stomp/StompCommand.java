package dev.switchboard.stomp;

import java.util.Optional;

/** STOMP 1.2's frame commands (client and server). */
public enum StompCommand {
    CONNECT, STOMP, CONNECTED, SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, ABORT, DISCONNECT,
    MESSAGE, RECEIPT, ERROR;

    static Optional<StompCommand> parse(String text) {
        try {
            return Optional.of(valueOf(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** CONNECT, STOMP and CONNECTED never escape headers (STOMP 1.2 "Value Encoding"). */
    boolean escapesHeaders() {
        return this != CONNECT && this != STOMP && this != CONNECTED;
    }
}
