package dev.switchboard.standalone;

import java.util.Locale;

/**
 * Reads the raw bytes a client sends on one HTTP/1.1 connection, before Grizzly's codec does, and
 * judges every request head by RFC 9112's grammar — strictly, where Grizzly is lenient and a proxy in
 * front may read the same bytes differently (request smuggling). It also follows each request's body
 * (Content-Length or chunked) so that it finds where the next pipelined request starts.
 * <p>
 * Pure and incremental: {@link #scan} takes the bytes as they arrive, in any split, keeps no copy of
 * them (a few counters and two short strings per connection) and stops at the first violation,
 * which the caller answers with the {@link Refusal}'s status and a close. After an upgrade request
 * the rest of the connection is not HTTP and is not looked at.
 */
final class HttpRequestScanner {

    /** Why a request is refused: an HTTP status and a short reason for the body and the metric. */
    record Refusal(int status, String reason) {
    }

    private enum State {
        /** Between requests. */
        REQUEST_START, METHOD, TARGET, VERSION, REQUEST_LINE_LF,
        HEADER_START, HEADER_NAME, HEADER_VALUE, HEADER_LF, HEAD_END_LF,
        BODY, CHUNK_SIZE, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF,
        TRAILER_START, TRAILER, TRAILER_LF, TRAILER_END_LF,
        /** An upgrade request's head is complete: what follows belongs to the upgraded protocol. */
        UPGRADED
    }

    private static final int CAPTURE = 128;

    private final int maxHeadBytes;
    private final int maxHeaders;

    private State state = State.REQUEST_START;
    private int completedRequests;
    private int headBytes;
    private int headers;
    private final StringBuilder method = new StringBuilder();
    private final StringBuilder version = new StringBuilder();
    private int targetPercent; // 0: none pending, 1/2: hex digits still expected after '%'
    private boolean inQuery;
    private final StringBuilder path = new StringBuilder();
    private final StringBuilder name = new StringBuilder();
    private final StringBuilder value = new StringBuilder();
    private boolean valueTooLong;
    private int hosts;
    private long contentLength = -1;
    private String transferEncoding;
    private boolean upgradeToWebSocket;
    private long remaining;
    private int chunkSizeDigits;
    private int trailerBytes;

    HttpRequestScanner(int maxHeadBytes, int maxHeaders) {
        this.maxHeadBytes = maxHeadBytes;
        this.maxHeaders = maxHeaders;
    }

    /** Requests whose head and body have been read in full (an upgrade request counts at its head). */
    int completedRequests() {
        return completedRequests;
    }

    /** Whether the client is in the middle of sending a request — or has not sent its first one yet. */
    boolean inRequest() {
        return state != State.UPGRADED && (completedRequests == 0 || state != State.REQUEST_START || headBytes > 0);
    }

    /** The last complete head asked for a WebSocket upgrade: nothing after it is scanned. */
    boolean upgraded() {
        return state == State.UPGRADED;
    }

    /** Back to HTTP after an upgrade request that was answered without 101. */
    void upgradeDeclined() {
        if (state == State.UPGRADED) {
            state = State.REQUEST_START;
        }
    }

    /** Looks at {@code length} more bytes; null when they are fine so far, else the first violation. */
    Refusal scan(Bytes bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            switch (state) {
                case UPGRADED -> {
                    return null;
                }
                case BODY -> {
                    long step = Math.min(remaining, end - i);
                    remaining -= step;
                    i += (int) step;
                    if (remaining == 0) {
                        requestComplete();
                    }
                }
                case CHUNK_DATA -> {
                    long step = Math.min(remaining, end - i);
                    remaining -= step;
                    i += (int) step;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_CR;
                    }
                }
                default -> {
                    Refusal refusal = next(bytes.get(i) & 0xff);
                    i++;
                    if (refusal != null) {
                        return refusal;
                    }
                }
            }
        }
        return null;
    }

    /** One byte of a head, a chunk-size line or a trailer. */
    private Refusal next(int b) {
        if (state.ordinal() <= State.HEAD_END_LF.ordinal() && ++headBytes > maxHeadBytes) {
            return new Refusal(431, "request head larger than " + maxHeadBytes + " bytes");
        }
        switch (state) {
            case REQUEST_START -> {
                // RFC 9112 §2.2 lets a server skip empty lines before a request line, but Grizzly
                // answers those with 501: refused plainly instead
                if (!isTokenChar(b)) {
                    return bad("malformed request line");
                }
                method.append((char) b);
                state = State.METHOD;
            }
            case METHOD -> {
                if (b == ' ') {
                    state = State.TARGET;
                } else if (isTokenChar(b) && method.length() < CAPTURE) {
                    method.append((char) b);
                } else {
                    return bad("malformed method");
                }
            }
            case TARGET -> {
                if (!inQuery && b != ' ' && b != '?') {
                    path.append((char) b);
                }
                if (b == ' ') {
                    if (targetPercent != 0) {
                        return bad("malformed percent-encoding in the request target");
                    }
                    state = State.VERSION;
                } else if (targetPercent != 0) {
                    if (hexDigit(b) < 0) {
                        return bad("malformed percent-encoding in the request target");
                    }
                    targetPercent--;
                } else if (b == '%') {
                    targetPercent = 2;
                } else if (b == '?') {
                    inQuery = true;
                } else if (inQuery ? b <= ' ' || b >= 0x7f : !isPathChar(b)) {
                    // RFC 3986 §3.3: a path is pchars and '/'; a backslash, a control or a raw
                    // non-ASCII byte is never part of one. Queries are looser: browsers send
                    // {, }, | and ^ unencoded there.
                    return bad("invalid character in the request target");
                }
            }
            case VERSION -> {
                if (b == '\r') {
                    if (!version.toString().matches("HTTP/\\d\\.\\d")) {
                        return bad("malformed HTTP version");
                    }
                    if (!version.toString().startsWith("HTTP/1.")) {
                        return new Refusal(505, "only HTTP/1.x is served here");
                    }
                    state = State.REQUEST_LINE_LF;
                } else if (b > ' ' && b < 0x7f && version.length() < 8) {
                    version.append((char) b);
                } else {
                    return bad(b == '\n' ? "bare LF line ending" : "malformed HTTP version");
                }
            }
            case REQUEST_LINE_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                state = State.HEADER_START;
            }
            case HEADER_START -> {
                if (b == '\r') {
                    state = State.HEAD_END_LF;
                } else if (b == ' ' || b == '\t') {
                    return bad("obsolete line folding"); // RFC 9112 §5.2
                } else if (isTokenChar(b)) {
                    if (++headers > maxHeaders) {
                        return new Refusal(431, "more than " + maxHeaders + " header fields");
                    }
                    name.setLength(0);
                    name.append((char) b);
                    state = State.HEADER_NAME;
                } else {
                    return bad(b == '\n' ? "bare LF line ending" : "malformed header field name");
                }
            }
            case HEADER_NAME -> {
                if (b == ':') {
                    value.setLength(0);
                    valueTooLong = false;
                    state = State.HEADER_VALUE;
                } else if (isTokenChar(b)) {
                    if (name.length() < CAPTURE) {
                        name.append((char) b);
                    }
                } else {
                    // RFC 9112 §5.1: no whitespace between the field name and the colon
                    return bad(b == ' ' || b == '\t' ? "whitespace before the colon of a header field" : "malformed header field name");
                }
            }
            case HEADER_VALUE -> {
                if (b == '\r') {
                    state = State.HEADER_LF;
                } else if (b == '\t' || (b >= ' ' && b != 0x7f)) {
                    if (value.length() < CAPTURE) {
                        value.append((char) b);
                    } else {
                        valueTooLong = true;
                    }
                } else {
                    // RFC 9110 §5.5: NUL, CR, LF and other controls are never part of a field value
                    return bad(b == '\n' ? "bare LF line ending" : "control character in a header field value");
                }
            }
            case HEADER_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                Refusal refusal = headerComplete();
                if (refusal != null) {
                    return refusal;
                }
                state = State.HEADER_START;
            }
            case HEAD_END_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                return headComplete();
            }
            case CHUNK_SIZE -> {
                if (hexDigit(b) >= 0) {
                    if (++chunkSizeDigits > 15) {
                        return bad("chunk size too large");
                    }
                    remaining = remaining * 16 + hexDigit(b);
                } else if (chunkSizeDigits == 0) {
                    return bad("malformed chunk size");
                } else if (b == '\r') {
                    state = State.CHUNK_SIZE_LF;
                } else if (b == ';') {
                    // RFC 9112 §7.1.1 allows extensions, but Grizzly's chunk parser breaks on them
                    return bad("chunk extensions are not supported");
                } else {
                    return bad("malformed chunk size");
                }
            }
            case CHUNK_SIZE_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                trailerBytes = 0;
                state = remaining == 0 ? State.TRAILER_START : State.CHUNK_DATA;
            }
            case CHUNK_DATA_CR -> {
                if (b != '\r') {
                    return bad("chunk data longer than its size");
                }
                state = State.CHUNK_DATA_LF;
            }
            case CHUNK_DATA_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                chunkSizeDigits = 0;
                state = State.CHUNK_SIZE;
            }
            case TRAILER_START, TRAILER -> {
                if (++trailerBytes > maxHeadBytes) {
                    return new Refusal(431, "trailer section larger than " + maxHeadBytes + " bytes");
                }
                if (b == '\r') {
                    state = state == State.TRAILER_START ? State.TRAILER_END_LF : State.TRAILER_LF;
                } else if (state == State.TRAILER_START && (b == ' ' || b == '\t')) {
                    return bad("obsolete line folding");
                } else if (b == '\t' || (b >= ' ' && b != 0x7f) || b >= 0x80) {
                    state = State.TRAILER;
                } else {
                    return bad(b == '\n' ? "bare LF line ending" : "control character in a trailer field");
                }
            }
            case TRAILER_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                state = State.TRAILER_START;
            }
            case TRAILER_END_LF -> {
                if (b != '\n') {
                    return bad("CR not followed by LF");
                }
                requestComplete();
            }
            default -> throw new IllegalStateException(state.name());
        }
        return null;
    }

    private Refusal headerComplete() {
        String field = name.toString().toLowerCase(Locale.ROOT);
        String content = value.toString().strip();
        switch (field) {
            case "host" -> hosts++;
            case "content-length" -> {
                // RFC 9112 §6.3: a repeated or non-numeric Content-Length is unrecoverable framing
                if (contentLength >= 0) {
                    return bad("more than one Content-Length");
                }
                if (valueTooLong || !content.matches("\\d{1,18}")) {
                    return bad("malformed Content-Length");
                }
                contentLength = Long.parseLong(content);
            }
            case "transfer-encoding" -> {
                if (transferEncoding != null) {
                    return bad("more than one Transfer-Encoding");
                }
                transferEncoding = valueTooLong ? "?" : content.toLowerCase(Locale.ROOT);
            }
            case "upgrade" -> upgradeToWebSocket = !valueTooLong && content.equalsIgnoreCase("websocket");
            default -> {
                // any other field is Grizzly's to read
            }
        }
        return null;
    }

    private Refusal headComplete() {
        boolean http11 = version.toString().equals("HTTP/1.1");
        if (hosts > 1) {
            return bad("more than one Host"); // RFC 9112 §3.2
        }
        if (hosts == 0 && http11) {
            return bad("no Host");
        }
        if (transferEncoding != null) {
            // RFC 9112 §6.1 and §6.3: both framings at once is how requests are smuggled
            if (contentLength >= 0) {
                return bad("both Content-Length and Transfer-Encoding");
            }
            if (!http11) {
                return bad("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!transferEncoding.equals("chunked")) {
                return new Refusal(501, "unsupported transfer coding");
            }
        }
        String pathProblem = upgradeToWebSocket ? null : RequestPaths.problem(method.toString(), path.toString());
        if (pathProblem != null) {
            // a handshake's path goes to Tyrus as it is (a bad room name is its 1008); Grizzly decodes the others
            return bad(pathProblem);
        }
        if (upgradeToWebSocket) {
            // RFC 6455 §4.1: the opening handshake is an HTTP/1.1 GET, without a body
            if (!method.toString().equals("GET")) {
                return bad("a WebSocket handshake must be a GET");
            }
            if (!http11) {
                return bad("a WebSocket handshake needs HTTP/1.1");
            }
            if (transferEncoding != null || contentLength > 0) {
                return bad("a WebSocket handshake has no body");
            }
            completedRequests++;
            resetHead();
            state = State.UPGRADED;
            return null;
        }
        boolean chunked = transferEncoding != null;
        long length = contentLength;
        resetHead();
        if (chunked) {
            remaining = 0;
            chunkSizeDigits = 0;
            state = State.CHUNK_SIZE;
        } else if (length > 0) {
            remaining = length;
            state = State.BODY;
        } else {
            requestComplete();
        }
        return null;
    }

    private void requestComplete() {
        completedRequests++;
        resetHead();
        state = State.REQUEST_START;
    }

    private void resetHead() {
        headBytes = 0;
        headers = 0;
        method.setLength(0);
        version.setLength(0);
        targetPercent = 0;
        inQuery = false;
        path.setLength(0);
        hosts = 0;
        contentLength = -1;
        transferEncoding = null;
        upgradeToWebSocket = false;
        trailerBytes = 0;
    }

    private static Refusal bad(String reason) {
        return new Refusal(400, reason);
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isTokenChar(int b) {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }

    /** RFC 3986 pchar (unreserved, sub-delims, ":", "@"; '%' is handled by the caller) and "/". */
    private static boolean isPathChar(int b) {
        return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || "-._~!$&'()*+,;=:@/".indexOf(b) >= 0;
    }

    private static int hexDigit(int b) {
        return b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
    }

    /** Random access to the bytes being scanned (a Grizzly Buffer, or an array in tests). */
    interface Bytes {
        byte get(int index);
    }
}
