package dev.switchboard.chat;

import dev.switchboard.connection.ErrorCode;
/** A request the chat refuses: answered with {@code {"type":"error","code":…,"detail":…}}, connection kept. */
public final class ChatException extends Exception {

    private final ErrorCode error;

    public ChatException(ErrorCode error, String detail) {
        super(detail, null, false, false);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }
}
