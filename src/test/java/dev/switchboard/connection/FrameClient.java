package dev.switchboard.connection;

import dev.switchboard.testing.RawWebSocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a plain socket that writes frame bytes exactly as a test builds them —
 * unmasked, with reserved bits, impossible lengths — which {@link RawWebSocket} (always well formed
 * on the outside) cannot, and reads the server's frames raw (RFC 6455 §5.2).
 */
final class FrameClient implements AutoCloseable {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private FrameClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and upgrades; {@code receiveBuffer} > 0 sets SO_RCVBUF before connecting (a tiny window). */
    static FrameClient connect(int port, String path, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        FrameClient client = new FrameClient(socket);
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        client.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        client.out.flush();
        String head = RawWebSocket.readHead(client.in);
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("not upgraded: " + head.lines().findFirst().orElse(""));
        }
        return client;
    }

    static FrameClient connect(int port, String path) throws IOException {
        return connect(port, path, 0);
    }

    /** A frame's bytes: {@code first} is FIN|RSV|opcode as sent; the payload is masked when {@code masked}. */
    static byte[] frame(int first, boolean masked, byte[] payload) {
        return header(first, masked, payload.length, payload);
    }

    /** A frame header claiming {@code length} bytes of payload (none of which is included), masked. */
    static byte[] headerOnly(int first, long length) {
        return header(first, true, length, new byte[0]);
    }

    private static byte[] header(int first, boolean masked, long length, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(first);
        int mask = masked ? 0x80 : 0;
        if (length >= 0 && length <= 125) {
            frame.write(mask | (int) length);
        } else if (length >= 0 && length <= 0xffff) {
            frame.write(mask | 126);
            frame.write((int) (length >>> 8));
            frame.write((int) length);
        } else {
            frame.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (length >>> shift));
            }
        }
        byte[] key = new byte[4];
        if (masked) {
            RANDOM.nextBytes(key);
            frame.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ key[i & 3]);
        }
        return frame.toByteArray();
    }

    static byte[] closePayload(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return payload;
    }

    void send(byte[]... frames) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            all.writeBytes(frame);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    RawWebSocket.Frame readFrame() throws IOException {
        return RawWebSocket.readFrame(in);
    }

    /** Reads until the server's close frame; returns it. */
    RawWebSocket.Frame awaitClose() throws IOException {
        while (true) {
            RawWebSocket.Frame frame = readFrame();
            if (frame.opcode() == CLOSE) {
                return frame;
            }
        }
    }

    /** After a close frame: true when the server ends the TCP connection (EOF or reset) before the socket timeout. */
    boolean serverHangsUp() throws IOException {
        return drainToEnd() >= 0;
    }

    /** Reads and discards until the server ends the connection; the bytes read, or -1 on a socket timeout. */
    long drainToEnd() throws IOException {
        byte[] sink = new byte[64 * 1024];
        long total = 0;
        try {
            while (true) {
                int n = in.read(sink);
                if (n < 0) {
                    return total;
                }
                total += n;
            }
        } catch (java.net.SocketTimeoutException timeout) {
            return -1;
        } catch (EOFException | SocketException reset) {
            return total;
        }
    }

    void soTimeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    int localPort() {
        return socket.getLocalPort();
    }

    OutputStream output() {
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
