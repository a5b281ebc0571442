package dev.switchboard.chat;

/** The contract's chat error codes. */
public enum ChatError {
    BAD_REQUEST("bad-request"),
    NICK_TAKEN("nick-taken"),
    NOT_JOINED("not-joined"),
    NO_SUCH_MEMBER("no-such-member"),
    TOO_LONG("too-long"),
    RATE_LIMITED("rate-limited"),
    FORBIDDEN("forbidden");

    private final String code;

    ChatError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
