package dev.switchboard.xmpp.tcp;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.ops.DaemonThreads;
import dev.switchboard.ops.EndpointMetrics;
import dev.switchboard.xmpp.StreamErrorCondition;
import dev.switchboard.xmpp.XmppStreamHandler;
import dev.switchboard.xmpp.XmppTransport;
import dev.switchboard.xmpp.XmppWriter;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * XMPP client-to-server streams over TCP (RFC 6120) for desktop clients, on {@code xmpp.tcp-port}:
 * one stream per connection, each handed to the session the factory makes for its
 * {@link XmppTransport}.
 *
 * <p>Plain Java NIO: one selector thread does every accept, read, write and TLS step, and a small
 * fixed pool parses and runs the sessions (each connection's work one task at a time, so a slow
 * password check holds up only its own stream and one pool thread). Grizzly's transport would
 * also do, but it is kept behind the standalone launcher (see ArchitectureTest), and STARTTLS (TLS
 * switched on mid-connection, data before the handshake dropped) is a few lines on an SSLEngine.
 *
 * <p>Bounded everywhere: {@code max-connections} (with the WebSockets the supplier counts),
 * {@code send-queue-bytes} per connection's outbox, {@code xmpp.max-stanza-bytes} for what is
 * parsed, reading paused while a connection's stream is behind, {@code idle-timeout} for silent
 * peers ({@code connection-timeout}), a whitespace keepalive every {@code keepalive-interval}
 * to a quiet one (§4.6.1).
 */
public final class XmppTcpListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(XmppTcpListener.class.getName());
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);

    /** What the listener needs to know; {@link #from} reads it from the configuration. */
    public record Settings(String host, int port, String domain, int maxStanzaBytes, long sendQueueBytes,
                           Duration idleTimeout, Duration keepaliveInterval, int maxConnections, SSLContext tls,
                           int streamThreads) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(domain, "domain");
        }

        /** {@code host}, {@code xmpp.tcp-port}, …; STARTTLS with {@code tls.keystore} when it is set. */
        public static Settings from(SwitchboardConfig config) {
            SSLContext tls = config.tlsKeystore() == null ? null
                    : serverContext(config.tlsKeystore(), config.tlsKeystorePassword());
            return new Settings(config.host(), config.xmppTcpPort(), config.xmppDomain(), config.xmppMaxStanzaBytes(),
                    config.sendQueueBytes(), config.idleTimeout(), config.keepaliveInterval(), config.maxConnections(),
                    tls, Math.max(2, Runtime.getRuntime().availableProcessors()));
        }

        public Settings withPort(int port) {
            return new Settings(host, port, domain, maxStanzaBytes, sendQueueBytes, idleTimeout, keepaliveInterval,
                    maxConnections, tls, streamThreads);
        }
    }

    /** The standalone keystore (PKCS#12, as {@code tls.keystore} is everywhere) as a server TLS context. */
    public static SSLContext serverContext(String keystore, String password) {
        try (InputStream in = Files.newInputStream(Path.of(keystore))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new ConfigException("Invalid configuration 'tls.keystore' = '" + keystore
                    + "': cannot use it as a PKCS#12 keystore with the given tls.keystore-password (" + e.getMessage() + ")");
        }
    }

    private final Settings settings;
    private final Function<XmppTransport, XmppStreamHandler> streams;
    private final EndpointMetrics metrics;
    private final IntSupplier otherConnections;
    private final Set<TcpTransport> connections = ConcurrentHashMap.newKeySet();
    private final Queue<Runnable> selectorTasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object emptied = new Object();
    private final SelectorBuffers buffers = new SelectorBuffers();
    private final long idleNanos;
    private final long keepaliveNanos;
    private final long sweepMillis;

    private Selector selector;
    private ServerSocketChannel server;
    private ExecutorService streamPool;
    private Thread selectorThread;
    private volatile boolean running;
    private volatile boolean accepting;

    /**
     * @param streams          makes the session of a new connection (the XMPP service's stream factory)
     * @param metrics          the {@code xmpp-tcp} endpoint's counters
     * @param otherConnections the server's other open connections (WebSockets), counted with these
     *                         against {@code max-connections}
     */
    public XmppTcpListener(Settings settings, Function<XmppTransport, XmppStreamHandler> streams,
                           EndpointMetrics metrics, IntSupplier otherConnections) {
        this.settings = settings;
        this.streams = streams;
        this.metrics = metrics;
        this.otherConnections = otherConnections;
        this.idleNanos = nanosOrNever(settings.idleTimeout());
        this.keepaliveNanos = nanosOrNever(settings.keepaliveInterval());
        long shortest = Math.min(idleNanos, keepaliveNanos) / 4 / 1_000_000L;
        this.sweepMillis = Math.max(10, Math.min(1000, shortest));
    }

    private static long nanosOrNever(Duration duration) {
        return duration.isZero() || duration.isNegative() ? Long.MAX_VALUE : duration.toNanos();
    }

    public synchronized XmppTcpListener start() throws IOException {
        if (running) {
            return this;
        }
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(settings.host(), settings.port()), 256);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        streamPool = Executors.newFixedThreadPool(settings.streamThreads(), DaemonThreads.named("xmpp-tcp-stream"));
        running = true;
        accepting = true;
        selectorThread = DaemonThreads.named("xmpp-tcp-io").newThread(this::run);
        selectorThread.start();
        LOG.info(() -> "XMPP client streams (RFC 6120) on " + settings.host() + ":" + port()
                + (settings.tls() == null ? ", no STARTTLS (no tls.keystore)" : ", STARTTLS required"));
        return this;
    }

    /** The port listened on (the one picked, when {@code xmpp.tcp-port} asked for a free one). */
    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException | NullPointerException e) {
            return -1;
        }
    }

    /** Open client streams: for {@code max-connections} together with the WebSockets. */
    public int openConnections() {
        return connections.size();
    }

    // ------------------------------------------------------------------ the selector thread

    void onSelector(Runnable task) {
        selectorTasks.add(task);
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    void closed(TcpTransport connection) {
        if (connections.remove(connection) && connections.isEmpty()) {
            synchronized (emptied) {
                emptied.notifyAll();
            }
        }
    }

    private void run() {
        long nextSweep = System.nanoTime();
        try {
            while (running) {
                selector.select(sweepMillis);
                Runnable task;
                while ((task = selectorTasks.poll()) != null) {
                    runSafely(task);
                }
                Set<SelectionKey> ready = selector.selectedKeys();
                for (SelectionKey key : ready) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    TcpTransport connection = (TcpTransport) key.attachment();
                    if (key.isReadable()) {
                        connection.onReadable();
                    }
                    if (key.isValid() && key.isWritable()) {
                        connection.onWritable();
                    }
                }
                ready.clear();
                long now = System.nanoTime();
                if (now - nextSweep >= 0) {
                    nextSweep = now + sweepMillis * 1_000_000L;
                    for (TcpTransport connection : connections) {
                        connection.sweep(now, idleNanos, keepaliveNanos);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.SEVERE, "the XMPP TCP listener stopped", e);
        } finally {
            for (TcpTransport connection : List.copyOf(connections)) {
                connection.closeNow();
            }
            Runnable task;
            while ((task = selectorTasks.poll()) != null) {
                runSafely(task);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing else holds it
            }
            stopped.countDown();
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an XMPP TCP selector task failed", e);
        }
    }

    private void accept() {
        SocketChannel channel;
        try {
            channel = server.accept();
        } catch (IOException e) {
            // out of descriptors, say: the next select tries again
            LOG.log(Level.FINE, "XMPP TCP accept failed", e);
            return;
        }
        if (channel == null) {
            return;
        }
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (!accepting || connections.size() + otherConnections.getAsInt() >= settings.maxConnections()) {
                refuse(channel);
                return;
            }
            TcpTransport connection = new TcpTransport(this, channel, metrics, settings.tls(), settings.sendQueueBytes(),
                    settings.maxStanzaBytes(), settings.domain(), new SerialExecutor(streamPool), buffers);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ, connection);
            connections.add(connection);
            metrics.opened();
            XmppStreamHandler session;
            try {
                session = streams.apply(connection);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "no XMPP session for a TCP client", e);
                connection.start(key, null);
                connection.fail(StreamErrorCondition.INTERNAL_SERVER_ERROR, null);
                return;
            }
            connection.start(key, session);
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // it is gone either way
            }
        }
    }

    /** Over {@code max-connections} (or shutting down): a stream error in one write, then close (§4.9.1.1). */
    private void refuse(SocketChannel channel) throws IOException {
        metrics.handshakeRefused(503);
        String refusal = TcpTransport.header(settings.domain(), UUID.randomUUID().toString())
                + XmppWriter.streamError(accepting ? StreamErrorCondition.RESOURCE_CONSTRAINT
                : StreamErrorCondition.SYSTEM_SHUTDOWN, accepting ? "too many connections" : null)
                + TcpTransport.STREAM_END;
        try {
            channel.write(ByteBuffer.wrap(refusal.getBytes(StandardCharsets.UTF_8)));
        } finally {
            channel.close();
        }
    }

    /**
     * What the selector thread reads into before a connection copies the bytes out: one of each for
     * all connections, not per connection (50,000 idle streams hold no read buffers).
     */
    static final class SelectorBuffers {
        private final ByteBuffer read = ByteBuffer.allocate(16 * 1024);
        private ByteBuffer app = ByteBuffer.allocate(0);

        /** The read buffer, cleared. */
        ByteBuffer read() {
            read.clear();
            return read;
        }

        /** The buffer TLS decrypts into, empty, of at least this capacity. */
        ByteBuffer app(int atLeast) {
            if (app.capacity() < atLeast) {
                app = ByteBuffer.allocate(atLeast);
            }
            app.clear();
            return app;
        }
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Ends every stream with {@code system-shutdown} (RFC 6120 §4.9.3.21), waits a little for them
     * to go out, then closes what is left and stops the threads.
     */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (!running) {
                return;
            }
            thread = selectorThread;
        }
        accepting = false;
        onSelector(() -> {
            try {
                server.close();
            } catch (IOException ignored) {
                // not accepting either way
            }
        });
        for (TcpTransport connection : List.copyOf(connections)) {
            connection.fail(StreamErrorCondition.SYSTEM_SHUTDOWN, null);
        }
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        synchronized (emptied) {
            long left;
            while (!connections.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    emptied.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        running = false;
        selector.wakeup();
        try {
            if (!stopped.await(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streamPool.shutdown();
        try {
            streamPool.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("XMPP TCP listener stopped");
    }
}
