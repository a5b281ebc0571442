package dev.switchboard.stomp;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * STOMP frames to bytes: command, headers (escaped from 1.1 on, except in CONNECT/CONNECTED),
 * a {@code content-length} for every non-empty body (so bodies may hold NULs), the body, NUL.
 */
public final class StompEncoder {

    private StompEncoder() {
    }

    public static byte[] encode(StompFrame frame, StompVersion version) {
        boolean escape = version.escapes() && frame.command().escapesHeaders();
        StringBuilder head = new StringBuilder(128).append(frame.command().name()).append('\n');
        boolean hasLength = false;
        for (Map.Entry<String, String> header : frame.headers()) {
            if (header.getKey().equals("content-length")) {
                if (hasLength) {
                    continue;
                }
                hasLength = true;
                head.append("content-length:").append(frame.body().length).append('\n');
                continue;
            }
            if (!representable(header.getKey(), header.getValue(), escape, version)) {
                continue; // never written raw: it would become other header lines, or end the frame
            }
            head.append(escape ? escape(header.getKey(), version) : header.getKey()).append(':')
                    .append(escape ? escape(header.getValue(), version) : header.getValue()).append('\n');
        }
        if (!hasLength && frame.body().length > 0) {
            head.append("content-length:").append(frame.body().length).append('\n');
        }
        head.append('\n');
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = frame.body();
        byte[] out = new byte[headBytes.length + body.length + 1]; // the last byte stays NUL
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(body, 0, out, headBytes.length, body.length);
        return out;
    }

    /**
     * Whether a header can be written so the receiver reads back exactly it: without escaping
     * (STOMP 1.0, CONNECT/CONNECTED) no CR, LF or NUL anywhere and no ':' in the name; with 1.1's
     * escaping no CR and no NUL; with 1.2's no NUL. Senders are refused such headers at SEND
     * ({@link StompMessages#checkRelayable}); this is the last line, for anything else.
     */
    static boolean representable(String name, String value, boolean escape, StompVersion version) {
        if (!escape) {
            return !StompMessages.hasLineBreak(name) && !StompMessages.hasLineBreak(value) && name.indexOf(':') < 0;
        }
        boolean cr = version != StompVersion.V1_2;
        return !has(name, cr) && !has(value, cr);
    }

    private static boolean has(String text, boolean crToo) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || (crToo && c == '\r')) {
                return true;
            }
        }
        return false;
    }

    static String escape(String text, StompVersion version) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case ':' -> "\\c";
                case '\r' -> version == StompVersion.V1_2 ? "\\r" : null;
                default -> null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (out != null) {
                out.append(replacement != null ? replacement : String.valueOf(c));
            }
        }
        return out == null ? text : out.toString();
    }
}
