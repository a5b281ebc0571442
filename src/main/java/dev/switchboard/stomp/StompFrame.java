package dev.switchboard.stomp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One STOMP frame: a command, headers in order (a repeated header keeps every occurrence; the
 * first one counts, STOMP 1.2 "Repeated Header Entries") and a body of bytes.
 */
public record StompFrame(StompCommand command, List<Map.Entry<String, String>> headers, byte[] body) {

    private static final byte[] EMPTY = new byte[0];

    public StompFrame {
        headers = List.copyOf(headers);
        body = body == null ? EMPTY : body;
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public static Builder builder(StompCommand command) {
        return new Builder(command);
    }

    @Override
    public String toString() {
        return command + headers.toString() + "(" + body.length + " bytes)";
    }

    /** Builds a frame header by header. */
    public static final class Builder {
        private final StompCommand command;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private byte[] body = EMPTY;

        private Builder(StompCommand command) {
            this.command = command;
        }

        public Builder header(String name, String value) {
            if (value != null) {
                headers.add(Map.entry(name, value));
            }
            return this;
        }

        public Builder body(byte[] body) {
            this.body = body;
            return this;
        }

        public Builder body(String text) {
            this.body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public StompFrame build() {
            return new StompFrame(command, headers, body);
        }
    }
}
