package dev.switchboard.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket that writes whatever frames a test asks for, valid or not
 * (invalid UTF-8, odd opcodes, fragments), and reads the server's frames raw (RFC 6455 §5).
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A frame from the server. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String request;
    private final String responseHead;

    private RawWebSocket(Socket socket, DataInputStream in, OutputStream out, String request, String responseHead) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.request = request;
        this.responseHead = responseHead;
    }

    public static RawWebSocket connect(String host, int port, String path) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String head = readHead(in);
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        if (!statusLine.contains(" 101 ")) {
            socket.close();
            throw new IOException("handshake refused: " + statusLine);
        }
        return new RawWebSocket(socket, in, out, request, head);
    }

    public String statusLine() {
        return responseHead.substring(0, responseHead.indexOf("\r\n"));
    }

    /** The opening handshake exactly as written to the socket. */
    public String handshakeRequest() {
        return request;
    }

    /** The server's 101 response head exactly as read, up to and including the empty line. */
    public String handshakeResponse() {
        return responseHead;
    }

    /** Reads an HTTP message head (through the empty line) byte by byte, as ISO-8859-1. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during handshake");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes many small masked frames with one system call per batch (for floods). */
    public void sendFrames(int opcode, byte[] payload, int count) throws IOException {
        java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 64 * 1024);
        for (int i = 0; i < count; i++) {
            buffered.write(frame(opcode, true, payload));
        }
        buffered.flush();
    }

    /** Writes one frame without a mask, as a client must not (RFC 6455 §5.1). */
    public void sendUnmaskedFrame(int opcode, byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        out.write((0x80 | opcode));
        out.write(payload.length);
        out.write(payload);
        out.flush();
    }

    /** Writes one masked frame, as a client must. */
    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        out.write(frame(opcode, fin, payload));
        out.flush();
    }

    private static byte[] frame(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        int length = payload.length;
        if (length <= 125) {
            frame.write(0x80 | length);
        } else if (length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(length >>> 8);
            frame.write(length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.writeBytes(mask);
        byte[] masked = new byte[length];
        for (int i = 0; i < length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        frame.writeBytes(masked);
        return frame.toByteArray();
    }

    public Frame readFrame() throws IOException {
        return readFrame(in);
    }

    /** Reads one unmasked server frame from {@code in}. */
    public static Frame readFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(first & 0x0f, (first & 0x80) != 0, payload);
    }

    /** Reads one server frame as the bytes on the wire, header and payload (to compare servers' framing). */
    public byte[] readRawFrame() throws IOException {
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        raw.write(first);
        raw.write(second);
        long length = second & 0x7f;
        int extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        for (int i = 0; i < extended; i++) {
            int b = in.readUnsignedByte();
            raw.write(b);
            length = i == 0 ? b : (length << 8) | b;
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        raw.write(payload);
        return raw.toByteArray();
    }

    /** Reads frames until the server's close frame and returns its code. */
    public int awaitCloseCode() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == CLOSE) {
                return frame.closeCode();
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
