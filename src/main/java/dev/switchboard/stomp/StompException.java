package dev.switchboard.stomp;

/**
 * A frame Switchboard refuses: answered with an ERROR frame whose {@code message} header is this
 * message, then the WebSocket closes with {@link #closeCode()}.
 */
public final class StompException extends Exception {

    /** Why: the close code the contract gives each kind. */
    public enum Kind {
        /** Outside the STOMP grammar, unknown command, missing header: 1002. */
        PROTOCOL(1002),
        /** Frame, header count or header line over its limit: 1009. */
        OVERSIZE(1009),
        /** Failed login or a denied destination: 1008. */
        POLICY(1008);

        private final int closeCode;

        Kind(int closeCode) {
            this.closeCode = closeCode;
        }
    }

    private final Kind kind;
    private final String receiptId;

    public StompException(Kind kind, String message) {
        this(kind, message, null);
    }

    public StompException(Kind kind, String message, String receiptId) {
        super(message, null, false, false);
        this.kind = kind;
        this.receiptId = receiptId;
    }

    public Kind kind() {
        return kind;
    }

    public int closeCode() {
        return kind.closeCode;
    }

    /** The {@code receipt} of the frame that failed, for the ERROR's {@code receipt-id}; may be null. */
    public String receiptId() {
        return receiptId;
    }

    public StompException withReceipt(String receipt) {
        return receipt == null ? this : new StompException(kind, getMessage(), receipt);
    }

    static StompException malformed(String message) {
        return new StompException(Kind.PROTOCOL, message);
    }
}
