package dev.switchboard.overhead;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The size in bytes of an HTTP/1.1 message head rebuilt from its parsed parts (RFC 9112 §2.1):
 * the start line, one {@code name: value CRLF} per header field and the empty line. A peer that
 * wrote extra spaces or folded lines sent a few bytes more than this; browsers and servers don't.
 */
public final class HttpHeadSize {

    private HttpHeadSize() {
    }

    /** {@code METHOD SP target SP protocol CRLF}, the header fields, CRLF. */
    public static long request(String method, String target, String protocol, List<Map.Entry<String, String>> headers) {
        return bytes(method) + 1 + bytes(target) + 1 + bytes(protocol) + 2 + fields(headers) + 2;
    }

    /** {@code protocol SP status SP reason CRLF}, the header fields, CRLF. */
    public static long response(String protocol, int status, String reason, List<Map.Entry<String, String>> headers) {
        return bytes(protocol) + 1 + 3 + 1 + bytes(reason) + 2 + fields(headers) + 2;
    }

    private static long fields(List<Map.Entry<String, String>> headers) {
        long total = 0;
        for (Map.Entry<String, String> header : headers) {
            total += bytes(header.getKey()) + 2 + bytes(header.getValue()) + 2;
        }
        return total;
    }

    // Header bytes are ISO-8859-1 on the wire (RFC 9110 §5.5): one byte per character as parsed.
    private static long bytes(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.ISO_8859_1).length;
    }
}
