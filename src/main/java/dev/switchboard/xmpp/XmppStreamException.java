package dev.switchboard.xmpp;

import java.util.Objects;

/**
 * Input the stream layer refuses: answered with a {@code <stream:error>} carrying
 * {@link #condition()}, then {@code <close/>} (RFC 7395 §3.6). The message says what was wrong,
 * for the log; it is not sent to the client.
 */
public final class XmppStreamException extends Exception {

    private final StreamErrorCondition condition;

    public XmppStreamException(StreamErrorCondition condition, String message) {
        super(message, null, false, false);
        this.condition = Objects.requireNonNull(condition, "condition");
    }

    public StreamErrorCondition condition() {
        return condition;
    }

    @Override
    public String toString() {
        return condition.elementName() + ": " + getMessage();
    }
}
