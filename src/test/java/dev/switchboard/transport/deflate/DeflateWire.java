package dev.switchboard.transport.deflate;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * A WebSocket client at the byte level with an extension offer of its choosing and RSV1 in its
 * hands, counting every byte the server sends after the handshake: what a test of
 * permessage-deflate needs to see on the wire.
 */
final class DeflateWire implements AutoCloseable {

    record Frame(boolean fin, boolean rsv1, int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String responseHead;
    private long bytesRead;

    private DeflateWire(Socket socket, DataInputStream in, OutputStream out, String responseHead) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.responseHead = responseHead;
    }

    /** Opens {@code path} offering {@code extensions} (null: no header) and, if given, a subprotocol. */
    static DeflateWire connect(int port, String path, String extensions, String subprotocol) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        try {
            socket.setSoTimeout(15_000);
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                    + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                    + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n") + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            return new DeflateWire(socket, in, out, head.toString());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    String status() {
        return responseHead.substring(0, responseHead.indexOf("\r\n"));
    }

    /** The answer's {@code Sec-WebSocket-Extensions}, or null when there is none. */
    String extensions() {
        for (String line : responseHead.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-extensions")) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    void send(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
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
        for (int i = 0; i < length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    Frame read() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        int header = 2;
        if (length == 126) {
            length = in.readUnsignedShort();
            header += 2;
        } else if (length == 127) {
            length = in.readLong();
            header += 8;
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        bytesRead += header + length;
        return new Frame((first & 0x80) != 0, (first & 0x40) != 0, first & 0x0f, payload);
    }

    /** The next data frame, past pings and pongs. */
    Frame readData() throws IOException {
        while (true) {
            Frame frame = read();
            if (frame.opcode() != 0x9 && frame.opcode() != 0xA) {
                return frame;
            }
        }
    }

    /** Frames until the server's close; its code. */
    int awaitClose() throws IOException {
        for (int i = 0; i < 100_000; i++) {
            Frame frame = read();
            if (frame.opcode() == 0x8) {
                return frame.closeCode();
            }
        }
        throw new IOException("no close frame");
    }

    /** Bytes of frames read since the handshake (headers included). */
    long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
