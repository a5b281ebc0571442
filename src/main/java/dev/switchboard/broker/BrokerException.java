package dev.switchboard.broker;

/**
 * What the broker refuses, and why: each protocol answers it in its own way (STOMP: an ERROR
 * frame, then the close code of the kind). {@link #code()} names a limit in metrics.
 */
public final class BrokerException extends Exception {

    public enum Kind {
        /** A request the broker cannot make sense of: a bad destination, selector or header combination. */
        INVALID,
        /** A bound reached: full queue, too many destinations, a busy topic. */
        LIMIT,
        /** Someone else holds it: a durable subscription in use. */
        CONFLICT,
        /** The store failed: what was asked was not done, and nothing acknowledged before is lost. */
        STORE
    }

    private final Kind kind;
    private final String code;

    private BrokerException(Kind kind, String code, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
    }

    public static BrokerException invalid(String message) {
        return new BrokerException(Kind.INVALID, "invalid", message);
    }

    public static BrokerException limit(String code, String message) {
        return new BrokerException(Kind.LIMIT, code, message);
    }

    public static BrokerException conflict(String code, String message) {
        return new BrokerException(Kind.CONFLICT, code, message);
    }

    public static BrokerException store(String message) {
        return new BrokerException(Kind.STORE, "store-failed", message);
    }

    /** A refusal as another node of a cluster reported it. */
    public static BrokerException of(Kind kind, String code, String message) {
        return new BrokerException(kind, code, message);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }
}
