package dev.switchboard.console;

/** A refused console message: answered {@code {"type":"error","code":…,"detail":…}}. */
public final class ConsoleException extends Exception {

    private final String code;

    public ConsoleException(String code, String detail) {
        super(detail, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    static ConsoleException badRequest(String detail) {
        return new ConsoleException("bad-request", detail);
    }
}
