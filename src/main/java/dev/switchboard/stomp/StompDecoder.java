package dev.switchboard.stomp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * STOMP frames from bytes, incrementally: feed it whatever arrives — several frames in one chunk,
 * one frame over several — and it returns the frames completed so far, keeping the rest for the
 * next call. Between frames, bare EOLs are heart-beats (STOMP 1.2 "Heart-beating"). A body runs
 * for {@code content-length} bytes (NULs allowed) when that header is present, else to the first
 * NUL. Every limit is checked as the bytes arrive, so nothing beyond a limit is ever buffered.
 * <p>
 * Any input either yields frames or ends in {@link StompException}; once it has thrown, the
 * decoder is done (a stream that broke the grammar cannot be resynchronised).
 */
public final class StompDecoder {

    private enum State { COMMAND, HEADERS, BODY_UNTIL_NUL, BODY_BY_LENGTH, EXPECT_NUL }

    private final int maxFrameBytes;
    private final int maxHeaders;
    private final int maxHeaderLineBytes;
    private StompVersion version = StompVersion.V1_0;

    private State state = State.COMMAND;
    private final ByteArray line = new ByteArray();
    private final ByteArray body = new ByteArray();
    private StompCommand command;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private long frameBytes;
    private long bodyLength;
    private long heartbeats;
    private StompException failure;

    /** A frame whose command is not STOMP's: refused at the end of its headers. */
    private StompException unknownCommand;

    public StompDecoder(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxHeaders = maxHeaders;
        this.maxHeaderLineBytes = maxHeaderLineBytes;
    }

    /** Header escaping follows the version negotiated at CONNECT (none for 1.0). */
    public void version(StompVersion version) {
        this.version = version;
    }

    /** Bare EOLs seen between frames so far. */
    public long heartbeats() {
        return heartbeats;
    }

    public List<StompFrame> decode(ByteBuffer input) throws StompException {
        if (failure != null) {
            throw failure;
        }
        try {
            return decodeFrames(input);
        } catch (StompException e) {
            // STOMP 1.2 "ERROR": a refused frame that asked for a receipt names it in receipt-id
            failure = state == State.COMMAND ? e : e.withReceiptIfNone(firstHeader("receipt"));
            throw failure;
        }
    }

    private List<StompFrame> decodeFrames(ByteBuffer input) throws StompException {
        List<StompFrame> frames = new ArrayList<>(1);
        while (input.hasRemaining()) {
            switch (state) {
                case COMMAND -> readCommand(input);
                case HEADERS -> readHeaders(input);
                case BODY_UNTIL_NUL -> {
                    if (readBodyUntilNul(input)) {
                        frames.add(finish());
                    }
                }
                case BODY_BY_LENGTH -> readBodyByLength(input);
                case EXPECT_NUL -> {
                    if (input.get() != 0) {
                        throw StompException.malformed("frame body not followed by NUL after content-length bytes");
                    }
                    count(1);
                    frames.add(finish());
                }
            }
        }
        return frames;
    }

    private void readCommand(ByteBuffer input) throws StompException {
        while (input.hasRemaining()) {
            byte b = input.get();
            if (b == '\n') {
                if (line.size() == 0 || (line.size() == 1 && line.at(0) == '\r')) {
                    heartbeats++;
                    line.clear();
                    continue;
                }
                String name = lineText();
                command = StompCommand.parse(name).orElse(null);
                if (command == null) {
                    // refused once its headers are read, so that the ERROR can carry its receipt-id
                    unknownCommand = StompException.malformed("unknown command '" + abbreviate(name) + "'");
                }
                frameBytes = name.length() + 1;
                state = State.HEADERS;
                return;
            }
            appendToLine(b);
        }
    }

    private void readHeaders(ByteBuffer input) throws StompException {
        while (input.hasRemaining()) {
            byte b = input.get();
            count(1);
            if (b != '\n') {
                appendToLine(b);
                continue;
            }
            if (line.size() == 0 || (line.size() == 1 && line.at(0) == '\r')) {
                line.clear();
                if (unknownCommand != null) {
                    throw unknownCommand;
                }
                startBody();
                return;
            }
            if (headers.size() == maxHeaders) {
                throw new StompException(StompException.Kind.OVERSIZE, "more than " + maxHeaders + " headers");
            }
            String text = lineText();
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw StompException.malformed("header line without a colon");
            }
            boolean escaped = version.escapes() && (command == null || command.escapesHeaders());
            String name = escaped ? unescape(text.substring(0, colon)) : text.substring(0, colon);
            String value = escaped ? unescape(text.substring(colon + 1)) : text.substring(colon + 1);
            headers.add(Map.entry(name, value));
        }
    }

    private void startBody() throws StompException {
        String length = firstHeader("content-length");
        if (length == null) {
            state = State.BODY_UNTIL_NUL;
            return;
        }
        try {
            bodyLength = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw StompException.malformed("content-length is not a number");
        }
        if (bodyLength < 0) {
            throw StompException.malformed("content-length is negative");
        }
        if (frameBytes + bodyLength + 1 > maxFrameBytes) {
            throw tooLarge();
        }
        state = bodyLength == 0 ? State.EXPECT_NUL : State.BODY_BY_LENGTH;
    }

    private boolean readBodyUntilNul(ByteBuffer input) throws StompException {
        int start = input.position();
        int limit = input.limit();
        for (int i = start; i < limit; i++) {
            if (input.get(i) == 0) {
                int n = i - start;
                count(n + 1);
                body.append(input, n);
                input.get(); // the NUL
                return true;
            }
        }
        int n = limit - start;
        count(n);
        body.append(input, n);
        return false;
    }

    private void readBodyByLength(ByteBuffer input) throws StompException {
        int n = (int) Math.min(input.remaining(), bodyLength - body.size());
        count(n);
        body.append(input, n);
        if (body.size() == bodyLength) {
            state = State.EXPECT_NUL;
        }
    }

    private StompFrame finish() {
        StompFrame frame = new StompFrame(command, headers, body.toArray());
        headers.clear();
        body.clear();
        line.clear();
        command = null;
        frameBytes = 0;
        state = State.COMMAND;
        return frame;
    }

    private void count(long bytes) throws StompException {
        frameBytes += bytes;
        if (frameBytes > maxFrameBytes) {
            throw tooLarge();
        }
    }

    private StompException tooLarge() {
        return new StompException(StompException.Kind.OVERSIZE, "frame larger than " + maxFrameBytes + " bytes");
    }

    private void appendToLine(byte b) throws StompException {
        if (line.size() >= maxHeaderLineBytes) {
            throw new StompException(StompException.Kind.OVERSIZE, "line longer than " + maxHeaderLineBytes + " bytes");
        }
        line.add(b);
    }

    /**
     * The current line as UTF-8 without its trailing CR; malformed UTF-8 is a protocol error, and so
     * is a NUL or a CR anywhere else in it: the STOMP 1.2 grammar has neither in a command or header
     * (a CR only in EOL), and relayed on they would end or split the line for some receiver.
     */
    private String lineText() throws StompException {
        int size = line.size();
        if (size > 0 && line.at(size - 1) == '\r') {
            size--;
        }
        for (int i = 0; i < size; i++) {
            if (line.at(i) == 0) {
                throw StompException.malformed("NUL in a header line");
            }
            if (line.at(i) == '\r') {
                throw StompException.malformed("CR inside a header line");
            }
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line.array(), 0, size)).toString();
            line.clear();
            return text;
        } catch (CharacterCodingException e) {
            throw StompException.malformed("header is not valid UTF-8");
        }
    }

    private String firstHeader(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equals(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** STOMP 1.1/1.2 "Value Encoding": \r (1.2), \n, \c, \\; anything else after a backslash is an error. */
    private String unescape(String text) throws StompException {
        if (text.indexOf('\\') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == text.length()) {
                throw StompException.malformed("header ends in a lone backslash");
            }
            switch (text.charAt(i)) {
                case 'n' -> out.append('\n');
                case 'c' -> out.append(':');
                case '\\' -> out.append('\\');
                case 'r' -> {
                    if (version != StompVersion.V1_2) {
                        throw StompException.malformed("undefined escape \\r before STOMP 1.2");
                    }
                    out.append('\r');
                }
                default -> throw StompException.malformed("undefined escape \\" + text.charAt(i));
            }
        }
        return out.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "…";
    }

    /** A growable byte array; cheaper than ByteArrayOutputStream for byte-at-a-time appends. */
    private static final class ByteArray {
        private byte[] bytes = new byte[64];
        private int size;

        void add(byte b) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = b;
        }

        void append(ByteBuffer source, int n) {
            if (size + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
            }
            source.get(bytes, size, n);
            size += n;
        }

        byte at(int i) {
            return bytes[i];
        }

        byte[] array() {
            return bytes;
        }

        int size() {
            return size;
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }

        void clear() {
            size = 0;
            if (bytes.length > 64 * 1024) {
                bytes = new byte[64]; // do not keep a big frame's buffer per idle connection
            }
        }
    }
}
