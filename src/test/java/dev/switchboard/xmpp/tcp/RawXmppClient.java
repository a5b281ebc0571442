package dev.switchboard.xmpp.tcp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A bare TCP client for the listener's tests: writes whatever bytes a test gives it and collects
 * what the server sends on its own thread, so a test can wait for text to arrive (and for the end).
 */
final class RawXmppClient implements AutoCloseable {

    private Socket socket;
    private OutputStream out;
    private final StringBuilder received = new StringBuilder();
    private volatile boolean ended;
    private Thread readerThread;

    RawXmppClient(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer a small SO_RCVBUF, for a client that is slow to read; 0 the default */
    RawXmppClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
    }

    /** Starts collecting what the server sends (not done at once, so a test can play a client that never reads). */
    RawXmppClient reading() {
        startReader(socket);
        return this;
    }

    private void startReader(Socket from) {
        readerThread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (received) {
                        received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        received.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the connection ended: a test looks at what arrived before that
            } finally {
                ended = true;
                synchronized (received) {
                    received.notifyAll();
                }
            }
        }, "raw-xmpp-client");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    String received() {
        synchronized (received) {
            return received.toString();
        }
    }

    /** Waits until what arrived contains {@code text} (from {@code after} on); returns the index after it. */
    int await(String text, int after) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        synchronized (received) {
            while (true) {
                int at = received.indexOf(text, after);
                if (at >= 0) {
                    return at + text.length();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended) {
                    throw new AssertionError("no '" + text + "' from the server" + (ended ? " before it closed" : "")
                            + "; got: " + abbreviated(received));
                }
                try {
                    received.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    int await(String text) {
        return await(text, 0);
    }

    /** Waits for the server to close the connection. */
    void awaitEnd() {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        synchronized (received) {
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the server did not close; got: " + abbreviated(received));
                }
                try {
                    received.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    boolean ended() {
        return ended;
    }

    /**
     * STARTTLS from the client's side: once {@code <proceed/>} has arrived, the TLS handshake on the
     * same socket; what the server sends from then on is collected from the TLS socket. The plain
     * part is read with {@link #readUntil} (no reader thread), which must not own the input now.
     */
    void startTls(SSLContext trusting) throws IOException, InterruptedException {
        Socket plain = socket;
        SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        out = tls.getOutputStream();
        synchronized (received) {
            received.setLength(0);
        }
        startReader(tls);
    }

    /** Reads plain bytes up to and including {@code text} on the caller's thread (before STARTTLS). */
    String readUntil(String text) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder got = new StringBuilder();
        while (got.indexOf(text) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before '" + text + "': " + got);
            }
            got.append((char) b);
        }
        return got.toString();
    }

    private static String abbreviated(CharSequence text) {
        return text.length() <= 2000 ? text.toString() : text.subSequence(0, 1000) + " … " + text.subSequence(text.length() - 1000, text.length());
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (readerThread != null) {
            try {
                readerThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
