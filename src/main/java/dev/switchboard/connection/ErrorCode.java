package dev.switchboard.connection;

import jakarta.json.spi.JsonProvider;

/**
 * The error codes of the JSON endpoints (chat, images, console), one type for all: each refusal
 * is {@code {"type":"error","code":…,"detail":…}} and the connection stays open.
 */
public enum ErrorCode {
    BAD_REQUEST("bad-request"),
    NICK_TAKEN("nick-taken"),
    NOT_JOINED("not-joined"),
    NO_SUCH_MEMBER("no-such-member"),
    NO_SUCH_TARGET("no-such-target"),
    TOO_LONG("too-long"),
    TOO_LARGE("too-large"),
    NOT_AN_IMAGE("not-an-image"),
    RATE_LIMITED("rate-limited"),
    FORBIDDEN("forbidden");

    private final String code;

    ErrorCode(String code) {
        this.code = code;
    }

    /** The code as it travels and as {@code switchboard_errors_total{code}} counts it. */
    public String code() {
        return code;
    }

    /** The error message a client gets. */
    public String json(String detail) {
        return JSON.createObjectBuilder().add("type", "error").add("code", code).add("detail", detail).build().toString();
    }

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();
}
