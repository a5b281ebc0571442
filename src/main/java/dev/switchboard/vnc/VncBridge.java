package dev.switchboard.vnc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Bytes between one WebSocket and one TCP connection to a VNC server, unchanged and in order,
 * with bounded buffering both ways and no thread held for the life of a session:
 * <ul>
 *   <li>server → browser: one buffer; the next TCP read starts only when the WebSocket has taken
 *       the previous chunk, so a browser that stops reading stops the reads (TCP flow control
 *       then holds the VNC server back) instead of growing memory;</li>
 *   <li>browser → server: writes queue up to {@link #MAX_UPSTREAM_BYTES}; past that the
 *       WebSocket's reader waits for the VNC server to take them.</li>
 * </ul>
 * Closing either side closes the other: the VNC server hanging up gives 1000, failing to reach it
 * or losing it 1011 (naming the target, never its address).
 */
public final class VncBridge {

    /** The WebSocket side, as the bridge needs it. */
    public interface Browser {
        /** Sends bytes; {@code sent} runs once the WebSocket has taken them (true) or failed (false). */
        void send(ByteBuffer bytes, Consumer<Boolean> sent);

        void close(int code, String reason);
    }

    /** What the bridge counts. */
    public interface Meter {
        void toBrowser(long bytes);

        void toServer(long bytes);

        void connectFailed();
    }

    static final int CHUNK_BYTES = 64 * 1024;
    static final int MAX_UPSTREAM_BYTES = 1024 * 1024;

    private final String target;
    private final Browser browser;
    private final Meter meter;
    private final ByteBuffer fromServer = ByteBuffer.allocate(CHUNK_BYTES);
    private final ArrayDeque<ByteBuffer> toServer = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private AsynchronousSocketChannel channel;
    private boolean connected;
    private boolean writing;
    private long queuedUpstream;

    public VncBridge(String target, Browser browser, Meter meter) {
        this.target = target;
        this.browser = browser;
        this.meter = meter;
    }

    /** Dials the VNC server; the WebSocket closes with 1011 if it cannot be reached in time. */
    public void connect(InetSocketAddress address, AsynchronousChannelGroup group, ScheduledExecutorService timers,
                        Duration timeout) {
        try {
            AsynchronousSocketChannel socket = AsynchronousSocketChannel.open(group);
            synchronized (this) {
                channel = socket;
            }
            InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
            ScheduledFuture<?> deadline = timers.schedule(() -> unreachable("timed out"), timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            socket.connect(resolved, null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void result, Void attachment) {
                    deadline.cancel(false);
                    synchronized (VncBridge.this) {
                        connected = true;
                        writeNext();
                    }
                    readFromServer();
                }

                @Override
                public void failed(Throwable error, Void attachment) {
                    deadline.cancel(false);
                    unreachable("refused");
                }
            });
        } catch (IOException | RuntimeException e) {
            unreachable("cannot dial");
        }
    }

    private void unreachable(String why) {
        if (closed.get()) {
            return;
        }
        meter.connectFailed();
        close(1011, "VNC target '" + target + "' unreachable (" + why + ")");
    }

    private void readFromServer() {
        fromServer.clear();
        channel.read(fromServer, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer read, Void attachment) {
                if (read < 0) {
                    close(1000, "VNC server '" + target + "' closed the connection");
                    return;
                }
                fromServer.flip();
                meter.toBrowser(read);
                browser.send(fromServer, sent -> {
                    if (sent) {
                        readFromServer();
                    } else {
                        close(1011, "browser connection failed");
                    }
                });
            }

            @Override
            public void failed(Throwable error, Void attachment) {
                close(1011, "lost the connection to VNC target '" + target + "'");
            }
        });
    }

    /** Bytes from the browser for the VNC server; waits while too much is queued already. */
    public synchronized void fromBrowser(ByteBuffer bytes) {
        if (closed.get()) {
            return;
        }
        toServer.addLast(bytes);
        queuedUpstream += bytes.remaining();
        writeNext();
        while (queuedUpstream > MAX_UPSTREAM_BYTES && !closed.get()) {
            try {
                wait(1000); // the VNC server is slower than the browser: hold the browser back
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeNext() {
        if (!connected || writing || toServer.isEmpty() || closed.get()) {
            return;
        }
        writing = true;
        ByteBuffer next = toServer.peekFirst();
        channel.write(next, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer written, Void attachment) {
                synchronized (VncBridge.this) {
                    writing = false;
                    queuedUpstream -= written;
                    meter.toServer(written);
                    if (!next.hasRemaining()) {
                        toServer.pollFirst();
                    }
                    VncBridge.this.notifyAll();
                    writeNext();
                }
            }

            @Override
            public void failed(Throwable error, Void attachment) {
                close(1011, "lost the connection to VNC target '" + target + "'");
            }
        });
    }

    /** Ends the session both ways (idempotent): the WebSocket gets {@code code}, the TCP socket closes. */
    public void close(int code, String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeChannel();
        browser.close(code, reason);
    }

    /** The WebSocket went away: close the TCP side. */
    public void browserClosed() {
        if (closed.compareAndSet(false, true)) {
            closeChannel();
        }
    }

    private synchronized void closeChannel() {
        toServer.clear();
        queuedUpstream = 0;
        notifyAll();
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    public boolean isClosed() {
        return closed.get();
    }
}
