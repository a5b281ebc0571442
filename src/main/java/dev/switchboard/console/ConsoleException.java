package dev.switchboard.console;

import dev.switchboard.connection.ErrorCode;

/** A refused console message: answered {@code {"type":"error","code":…,"detail":…}}. */
public final class ConsoleException extends Exception {

    private final ErrorCode code;

    public ConsoleException(ErrorCode code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    static ConsoleException badRequest(String detail) {
        return new ConsoleException(ErrorCode.BAD_REQUEST, detail);
    }
}
