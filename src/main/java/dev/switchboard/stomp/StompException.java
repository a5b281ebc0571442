package dev.switchboard.stomp;

import java.util.Locale;

/**
 * A frame Switchboard refuses: answered with an ERROR frame whose {@code message} header is this
 * message, then the WebSocket closes with {@link #closeCode()}. {@link #code()} is what the
 * refusal is counted as in metrics ({@code switchboard_errors_total{code=…}}).
 */
public final class StompException extends Exception {

    /** Why: the close code the contract gives each kind. */
    public enum Kind {
        /** Outside the STOMP grammar, unknown command, missing header: 1002. */
        PROTOCOL(1002),
        /** Frame, header count or header line over its limit: 1009. */
        OVERSIZE(1009),
        /** Failed login or a denied destination: 1008. */
        POLICY(1008),
        /** A broker limit (full queue, too many destinations, transactions, rate…): 1008, "policy violation". */
        LIMIT(1008),
        /** The server failed while handling the frame (a bug, never the client's fault): 1011, RFC 6455 §7.4.1. */
        INTERNAL(1011);

        private final int closeCode;

        Kind(int closeCode) {
            this.closeCode = closeCode;
        }
    }

    private final Kind kind;
    private final String code;
    private final String receiptId;

    public StompException(Kind kind, String message) {
        this(kind, kind.name().toLowerCase(Locale.ROOT), message, null);
    }

    public StompException(Kind kind, String message, String receiptId) {
        this(kind, kind.name().toLowerCase(Locale.ROOT), message, receiptId);
    }

    private StompException(Kind kind, String code, String message, String receiptId) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.receiptId = receiptId;
    }

    public Kind kind() {
        return kind;
    }

    /** The metrics code: the kind's name, or for a limit the limit's own name ({@code queue-full}, …). */
    public String code() {
        return code;
    }

    public int closeCode() {
        return kind.closeCode;
    }

    /** The {@code receipt} of the frame that failed, for the ERROR's {@code receipt-id}; may be null. */
    public String receiptId() {
        return receiptId;
    }

    public StompException withReceipt(String receipt) {
        return receipt == null ? this : new StompException(kind, code, getMessage(), receipt);
    }

    /** The same refusal naming {@code receipt}, unless it names one already. */
    StompException withReceiptIfNone(String receipt) {
        return receiptId != null ? this : withReceipt(receipt);
    }

    static StompException malformed(String message) {
        return new StompException(Kind.PROTOCOL, message);
    }

    /** A broker limit reached: ERROR, then close 1008; counted as {@code code}. */
    static StompException limit(String code, String message) {
        return new StompException(Kind.LIMIT, code, message, null);
    }

    /**
     * The broker core's refusal as STOMP answers it: a request it cannot make sense of is a
     * protocol error (1002), a bound or a conflict a limit (1008), a failed store a server
     * failure (1011) whose message names the problem.
     */
    static StompException of(dev.switchboard.broker.BrokerException refusal) {
        return switch (refusal.kind()) {
            case INVALID -> malformed(refusal.getMessage());
            case LIMIT, CONFLICT -> limit(refusal.code(), refusal.getMessage());
            case STORE -> new StompException(Kind.INTERNAL, refusal.code(), refusal.getMessage(), null);
        };
    }

    static StompException internal() {
        return new StompException(Kind.INTERNAL, "internal", "internal server error", null);
    }
}
