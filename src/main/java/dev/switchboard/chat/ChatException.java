package dev.switchboard.chat;

/** A request the chat refuses: answered with {@code {"type":"error","code":…,"detail":…}}, connection kept. */
public final class ChatException extends Exception {

    private final ChatError error;

    public ChatException(ChatError error, String detail) {
        super(detail, null, false, false);
        this.error = error;
    }

    public ChatError error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }
}
