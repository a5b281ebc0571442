package dev.switchboard.standalone;

import dev.switchboard.security.SecurityHeadersFilter;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpCodecFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.utils.IdleTimeoutFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listener's first look at every connection, in front of Grizzly's HTTP codec (after TLS):
 * <ul>
 * <li>judges each request head by RFC 9112 ({@link HttpRequestScanner}) and answers what is
 *     malformed or ambiguous with 400 (431, 501, 505) and a close, before Grizzly reads it;</li>
 * <li>gives every request {@code handshake-timeout} from its first byte (the first request: from
 *     the accept) to arrive in full — a deadline, not an idle timer, so a slowloris trickling a
 *     header every few seconds is cut at it;</li>
 * <li>counts connections: those whose first request is unfinished count, with the open WebSockets,
 *     against {@code max-connections} at the handshake ({@link #unfinishedConnections()}); every
 *     connection counts against the socket cap, beyond which a new one gets 503 and is closed;</li>
 * <li>takes an upgraded WebSocket off Grizzly's keep-alive idle timeout (WebSockets have their
 *     own) and stops looking at its bytes (its request scanner is dropped).</li>
 * </ul>
 */
final class HttpRequestGuard extends BaseFilter {

    private static final Logger LOG = Logger.getLogger(HttpRequestGuard.class.getName());

    /** The largest request head (request line and header fields); Grizzly's own limit is set above it. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    /** The most header fields in one request. */
    static final int MAX_HEADERS = 100;
    /** A connection beyond the socket cap gets this long to send its request before its 503. */
    static final Duration REFUSAL_GRACE = Duration.ofSeconds(1);

    private static final byte[] SWITCHING_PROTOCOLS = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);

    private final Attribute<Client> clientAttribute =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(HttpRequestGuard.class.getName() + ".client");
    private final Duration handshakeTimeout;
    private final int socketCap;
    private final ScheduledExecutorService timer;
    private volatile BooleanSupplier shuttingDown = () -> false;
    private final AtomicInteger sockets = new AtomicInteger();
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile HttpListenerMetrics metrics;

    HttpRequestGuard(Duration handshakeTimeout, int socketCap, ScheduledExecutorService timer) {
        this.handshakeTimeout = handshakeTimeout;
        this.socketCap = socketCap;
        this.timer = timer;
    }

    /** The application it guards, once built (it needs {@link #unfinishedConnections()} itself). */
    void bind(HttpListenerMetrics metrics, BooleanSupplier shuttingDown) {
        this.metrics = metrics;
        this.shuttingDown = shuttingDown;
    }

    /** Every connection the listener holds. */
    int sockets() {
        return sockets.get();
    }

    /** Connections whose first request (or handshake) has not arrived in full yet. */
    int unfinishedConnections() {
        return unfinished.get();
    }

    /** Installs the guard in front of Grizzly's HTTP codec, behind TLS when there is TLS. */
    AddOn addOn() {
        return new AddOn() {
            @Override
            public void setup(NetworkListener listener, FilterChainBuilder builder) {
                builder.add(builder.indexOfType(HttpCodecFilter.class), HttpRequestGuard.this);
            }
        };
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) throws IOException {
        Connection<?> connection = ctx.getConnection();
        boolean full = sockets.incrementAndGet() > socketCap;
        unfinished.incrementAndGet();
        Client client = new Client(connection, full);
        clientAttribute.set(connection, client);
        connection.addCloseListener((closeable, type) -> client.closed());
        client.armDeadline(full ? min(REFUSAL_GRACE, handshakeTimeout) : handshakeTimeout);
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        Client client = clientAttribute.get(ctx.getConnection());
        if (client == null || client.mode == Mode.WEBSOCKET || client.mode == Mode.AWAITING_UPGRADE_ANSWER) {
            return ctx.getInvokeAction();
        }
        if (client.mode == Mode.CLOSING) {
            return ctx.getStopAction(); // answered and closing: the rest is not read
        }
        Buffer buffer = ctx.getMessage();
        HttpRequestScanner scanner = client.scanner;
        HttpRequestScanner.Refusal refusal = scanner.scan(buffer::get, buffer.position(), buffer.remaining());
        if (client.full) {
            if (refusal != null || scanner.completedRequests() > 0 || scanner.upgraded()) {
                refuse(ctx, client, 503, "server full");
            }
            return ctx.getStopAction();
        }
        if (refusal != null) {
            LOG.log(Level.FINE, "refused {0}: {1}", new Object[] {connectionName(ctx), refusal.reason()});
            refuse(ctx, client, refusal.status(), refusal.reason());
            return ctx.getStopAction();
        }
        if (scanner.completedRequests() > 0) {
            client.finishedFirstRequest();
        }
        if (scanner.upgraded()) {
            if (shuttingDown.getAsBoolean()) {
                refuse(ctx, client, 503, "server shutting down");
                return ctx.getStopAction();
            }
            client.mode = Mode.AWAITING_UPGRADE_ANSWER;
        }
        client.requestInProgress(scanner.inRequest());
        return ctx.getInvokeAction();
    }

    @Override
    public NextAction handleWrite(FilterChainContext ctx) throws IOException {
        Client client = clientAttribute.get(ctx.getConnection());
        if (client != null && client.mode == Mode.AWAITING_UPGRADE_ANSWER && ctx.getMessage() instanceof Buffer head) {
            if (startsWith(head, SWITCHING_PROTOCOLS)) {
                client.mode = Mode.WEBSOCKET;
                client.scanner = null;
                // Grizzly's keep-alive idle timeout is for HTTP; a WebSocket has idle-timeout and pings
                IdleTimeoutFilter.setCustomTimeout(ctx.getConnection(), -1, TimeUnit.MILLISECONDS);
            } else {
                // an upgrade answered otherwise (401, 403, 503, a page): this connection has served its purpose
                client.mode = Mode.CLOSING;
                ctx.addCompletionListener(done -> ctx.getConnection().closeSilently());
            }
        }
        return ctx.getInvokeAction();
    }

    /** Answers with {@code status} itself, with the security headers every answer carries, and closes. */
    private void refuse(FilterChainContext ctx, Client client, int status, String reason) {
        client.mode = Mode.CLOSING;
        client.cancelDeadline();
        if (metrics != null) {
            metrics.refused(status);
        }
        ctx.write(Buffers.wrap(ctx.getMemoryManager(), response(status, reason)));
        ctx.getConnection().closeSilently(); // after the answer: Grizzly closes once queued writes are out
    }

    /** The whole answer: status line, headers (security headers included), a one-line text body. */
    static byte[] response(int status, String reason) {
        String body = reason + "\n";
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reasonPhrase(status)).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                .append("Connection: close\r\n")
                .append("Cache-Control: no-store\r\n");
        for (Map.Entry<String, String> header : SecurityHeadersFilter.headers(false).entrySet()) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        return head.append("\r\n").append(body).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    private static boolean startsWith(Buffer buffer, byte[] prefix) {
        if (buffer.remaining() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buffer.get(buffer.position() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Object connectionName(FilterChainContext ctx) {
        return ctx.getConnection().getPeerAddress();
    }

    private enum Mode { HTTP, AWAITING_UPGRADE_ANSWER, WEBSOCKET, CLOSING }

    /** One connection: its scanner, where it stands, its deadline. */
    private final class Client {
        final Connection<?> connection;
        final boolean full;
        /** Null once the connection is a WebSocket: its bytes are frames, and an idle one should cost little. */
        HttpRequestScanner scanner = new HttpRequestScanner(MAX_HEAD_BYTES, MAX_HEADERS);
        final AtomicBoolean counted = new AtomicBoolean(true);
        volatile Mode mode = Mode.HTTP;
        private volatile ScheduledFuture<?> deadline; // set by the connection's reads only

        Client(Connection<?> connection, boolean full) {
            this.connection = connection;
            this.full = full;
        }

        void armDeadline(Duration timeout) {
            deadline = timer.schedule(this::deadlinePassed, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** The deadline runs while a request is arriving and is dropped in between (Grizzly's keep-alive timeout). */
        void requestInProgress(boolean inRequest) {
            if (inRequest && deadline == null) {
                armDeadline(handshakeTimeout);
            } else if (!inRequest) {
                cancelDeadline();
            }
        }

        void cancelDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }

        private void deadlinePassed() {
            if (mode == Mode.HTTP && connection.isOpen()) {
                if (metrics != null && !full) {
                    metrics.handshakeTimedOut();
                }
                connection.closeSilently();
            }
        }

        void finishedFirstRequest() {
            if (counted.compareAndSet(true, false)) {
                unfinished.decrementAndGet();
            }
        }

        void closed() {
            finishedFirstRequest();
            sockets.decrementAndGet();
            ScheduledFuture<?> pending = deadline;
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }
}
