package dev.switchboard.standalone;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Judges a request target's path the way Grizzly will decode it, before Grizzly does: Grizzly
 * answers a path it cannot decode or normalise with 500 (and without the security headers), but
 * those are the client's mistakes — or attacks — and get 400 here.
 */
final class RequestPaths {

    private RequestPaths() {
    }

    /** Null when the (still percent-encoded, already character-checked) path is fine, else what is wrong. */
    static String problem(String method, String target) {
        String path = target;
        if (target.equals("*")) {
            return method.equals("OPTIONS") ? null : "'*' is only a target for OPTIONS";
        }
        if (!target.startsWith("/")) {
            // RFC 9112 §3.2.2 absolute-form; authority-form (CONNECT) is not served here
            int scheme = target.indexOf("://");
            if (scheme < 0 || !target.substring(0, scheme).matches("(?i)https?")) {
                return "malformed request target";
            }
            int slash = target.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : target.substring(slash);
        }
        byte[] decoded = new byte[path.length()];
        int length = 0;
        for (int i = 0; i < path.length(); i++) {
            int c = path.charAt(i);
            if (c == '%') {
                c = Integer.parseInt(path.substring(i + 1, i + 3), 16); // the scanner has checked the two digits
                i += 2;
                if (c == 0) {
                    return "NUL in the request path";
                }
                if (c == '/' || c == '\\') {
                    return "encoded slash in the request path";
                }
            }
            decoded[length++] = (byte) c;
        }
        String text;
        try {
            // strict: overlong forms (%c0%ae for '.') and stray bytes are errors, not replaced
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded, 0, length)).toString();
        } catch (CharacterCodingException e) {
            return "request path is not UTF-8";
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : text.split("/", -1)) {
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return "request path leaves the root";
                }
                segments.removeLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        return null;
    }
}
