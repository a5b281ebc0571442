package dev.switchboard.connection;

import dev.switchboard.ops.EndpointMetrics;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.Identity;
import dev.switchboard.transport.FastPath;
import dev.switchboard.transport.FrameWriter;
import dev.switchboard.transport.IdleTimer;
import dev.switchboard.transport.ServerFrames;
import dev.switchboard.transport.ServletUnmasking;
import dev.switchboard.transport.Transport;
import dev.switchboard.transport.WriteBatch;
import dev.switchboard.transport.deflate.SharedDeflater;
import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open WebSocket as the features see it: counted messages in, and an outbox of asynchronous
 * sends with a byte bound. A peer that stops reading makes its own queue grow, never anyone else's:
 * past {@code send-queue-bytes} it is closed with 1013 (slow consumer).
 *
 * <p>Where the container allows ({@link FastPath}), messages leave as frames Switchboard built —
 * a broadcast's once for all receivers — and a fan-out stripe's burst leaves as one write per
 * receiver ({@link WriteBatch}); elsewhere through the Jakarta API. The send queue's accounting is
 * the same on both paths.
 */
public final class Connection {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());

    /**
     * How long a closed connection may take to finish its close handshake — the peer reading what
     * was queued, then the close frame — before its transport is ended anyway (RFC 6455 §7.1.1).
     */
    public static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    private final Session session;
    private final Handshake handshake;
    private final EndpointMetrics metrics;
    private final ConnectionLimits limits;
    private final ScheduledExecutorService timers;
    private final AtomicLong pendingBytes = new AtomicLong();
    /** This connection's own counts, for {@code admin/connections} (the endpoint's metrics sum every connection's). */
    private final java.util.concurrent.atomic.LongAdder messagesIn = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesIn = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder messagesOut = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesOut = new java.util.concurrent.atomic.LongAdder();
    private final long openedAtMillis = System.currentTimeMillis();
    /**
     * Sends with a {@code sent} callback the container has not reported on yet: failed at teardown.
     * Fan-out sends have none and are not tracked (a set insert per receiver is not free); their
     * bytes are let go all at once at teardown.
     */
    private final Set<Send> outstanding = ConcurrentHashMap.newKeySet();
    private volatile boolean tornDown;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean teardownScheduled = new AtomicBoolean();
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastPingNanos = lastHeardNanos;
    /** Tyrus's raw writer under the session, refusing once closing; null: the Jakarta API. */
    private final FrameWriter frames;
    /**
     * A compressed session without server context takeover: the compressor it shares with the
     * other such receivers of a broadcast, and the raw writer their shared frames go by (below
     * the extension); both null otherwise.
     */
    private final SharedDeflater sharedDeflater;
    private final FrameWriter sharedFrames;

    Connection(Session session, EndpointMetrics metrics, ConnectionLimits limits, ScheduledExecutorService timers) {
        this.session = session;
        this.handshake = Handshake.of(session);
        this.metrics = metrics;
        this.limits = limits;
        this.timers = timers;
        // Payara's Tyrus arms a never-firing idle timer on its managed scheduler per message in and out
        IdleTimer.quiet(session, limits.fastPath());
        // in a servlet container, the client's frames are unmasked by us before Tyrus (a byte at a time) reads them
        ServletUnmasking.unmask(session, limits.fastPath());
        FrameWriter raw = FastPath.writer(session, limits.fastPath());
        this.frames = raw == null ? null : batch -> closing.get()
                ? CompletableFuture.failedFuture(new IOException("connection closing"))
                : raw.write(batch);
        this.sharedDeflater = frames == null && limits.fastPath() ? sharedDeflater(session) : null;
        FrameWriter below = sharedDeflater == null ? null : FastPath.writerBelowExtensions(session, true);
        this.sharedFrames = below == null ? null : batch -> closing.get()
                ? CompletableFuture.failedFuture(new IOException("connection closing"))
                : below.write(batch);
        session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> heard());
    }

    public String id() {
        return session.getId();
    }

    /** What the handshake established: path and query parameters, identity, address, agent. */
    public Handshake handshake() {
        return handshake;
    }

    /** The peer's IP address as the server saw it (a proxy's, behind one), or "" when unknown. */
    public String remoteAddress() {
        return handshake.remoteAddress();
    }

    /** Who the handshake authenticated; {@link Identity#ANONYMOUS} with security off, null if nobody (STOMP). */
    public Identity identity() {
        return handshake.identity();
    }

    /** The handshake's User-Agent, or "". */
    public String userAgent() {
        return handshake.userAgent();
    }

    /** Whether the handshake came through a proxy from off this machine, or claimed to with nothing believed (never loopback, then). */
    public boolean forwarded() {
        return handshake.forwarded();
    }

    /** The subprotocol the handshake agreed on, or "" for none. */
    public String subprotocol() {
        String agreed = session.getNegotiatedSubprotocol();
        return agreed == null ? "" : agreed;
    }

    public EndpointMetrics metrics() {
        return metrics;
    }

    /** When the connection opened (epoch millis). */
    public long openedAtMillis() {
        return openedAtMillis;
    }

    /** The request path of the handshake ({@code /chat/lobby}, under the context path in a server), or "". */
    public String path() {
        try {
            java.net.URI uri = session.getRequestURI();
            return uri == null || uri.getRawPath() == null ? "" : uri.getRawPath();
        } catch (RuntimeException closed) {
            return "";
        }
    }

    /** Whole messages received and their payload bytes; messages sent (the container reported them written) and bytes. */
    public long messagesIn() {
        return messagesIn.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Bytes handed to the container and not yet written (nor failed): what the peer owes us reading. */
    public long queuedBytes() {
        return pendingBytes.get();
    }

    /** Receives whole text messages, counted in metrics; a message over the size limit closes with 1009. */
    public void onText(Consumer<String> handler) {
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            if (accepted(Utf8.encodedLength(text))) {
                handler.accept(text);
            }
        });
    }

    /**
     * {@link #onText} for a relay that sends the text on as it came: the handler also gets its
     * UTF-8 bytes, encoded once here — for the size rule and the metrics, and again for the reply
     * ({@link #sendText(String, byte[])}) — instead of measured here and encoded again to send.
     */
    public void onTextWithBytes(BiConsumer<String, byte[]> handler) {
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            // exact: the container decoded the text from UTF-8, so it has no unpaired surrogate
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            if (accepted(utf8.length)) {
                handler.accept(text, utf8);
            }
        });
    }

    /** Receives whole binary messages, counted in metrics; a message over the size limit closes with 1009. */
    public void onBinary(Consumer<ByteBuffer> handler) {
        session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> {
            if (accepted(data.remaining())) {
                handler.accept(data);
            }
        });
    }

    private boolean accepted(long bytes) {
        heard();
        metrics.received(bytes);
        messagesIn.increment();
        bytesIn.add(bytes);
        if (bytes > limits.maxMessageBytes()) {
            close(1009, "message too big: " + bytes + " bytes, limit " + limits.maxMessageBytes());
            return false;
        }
        return true;
    }

    /**
     * The one refusal of the JSON endpoints: the error message, counted by code, and a strike on
     * the connection's flood guard — repeated bad messages close it with 1008.
     */
    public void refuse(FloodGuard flood, ErrorCode code, String detail) {
        reply(code, detail);
        if (flood.strike()) {
            close(1008, "too many bad messages");
        }
    }

    /** An error message that is not a strike (the client did nothing wrong: a room it may not join, say). */
    public void reply(ErrorCode code, String detail) {
        metrics.error(code.code());
        sendText(code.json(detail));
    }

    /**
     * {@link #admit} for the JSON endpoints: a message over the rate is answered
     * {@code rate-limited}.
     */
    public boolean admit(FloodGuard flood) {
        return admit(flood, () -> sendText(ErrorCode.RATE_LIMITED.json("slow down: over the message rate")));
    }

    /**
     * Messages the endpoint's contract ignores (images' text, the ticker's input) are dropped, but
     * still count against the rate limit: a client that floods them is closed with 1008.
     */
    public void ignoreMessages(FloodGuard flood) {
        onText(text -> admit(flood, () -> { }));
        onBinary(data -> admit(flood, () -> { }));
    }

    /**
     * One incoming message against the connection's rate limit: true to handle it; false when it
     * was refused — answered by {@code answerRateLimited} — or, for persistent abuse, the
     * connection was closed with 1008. Both are counted as {@code rate-limited} errors.
     */
    public boolean admit(FloodGuard flood, Runnable answerRateLimited) {
        FloodGuard.Verdict verdict = flood.admit();
        if (verdict == FloodGuard.Verdict.ADMIT) {
            return true;
        }
        metrics.error("rate-limited");
        if (verdict == FloodGuard.Verdict.REJECT) {
            answerRateLimited.run();
        } else {
            close(1008, "rate limit exceeded");
        }
        return false;
    }

    /** Any frame from the peer (message or pong) proves it is alive. */
    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    long lastPingNanos() {
        return lastPingNanos;
    }

    /** Whether messages leave as Switchboard's own frames (the Tyrus fast path), not through the Jakarta API. */
    public boolean fastPath() {
        return frames != null;
    }

    /** A keepalive ping; the pong it draws counts as hearing from the peer. */
    void ping() {
        lastPingNanos = System.nanoTime();
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping failed on " + id(), e);
        }
    }

    /** Sends a text message; one with an unpaired surrogate (no UTF-8 form) is refused, never thrown. */
    public void sendText(String text) {
        if (!Utf8.isWellFormed(text)) {
            unencodable(null);
        } else if (frames != null) {
            sendText(text, text.getBytes(StandardCharsets.UTF_8)); // its length is the size: no need to measure
        } else {
            sendText(text, Utf8.encodedLength(text), true, null);
        }
    }

    /**
     * Sends text whose UTF-8 bytes the caller has: from {@link #onTextWithBytes} (well-formed, as
     * it was decoded from UTF-8) or encoded from a well-formed string. On the fast path the frame
     * is made of those bytes; the Jakarta API encodes the text itself.
     */
    public void sendText(String text, byte[] utf8) {
        if (frames != null) {
            enqueue(utf8.length, done -> writeFrame(ServerFrames.frame(ServerFrames.TEXT, utf8), done), null);
            return;
        }
        enqueue(utf8.length, done -> session.getAsyncRemote().sendText(text, done), null);
    }

    private void sendText(String text, long bytes, boolean encodable, Consumer<Boolean> sent) {
        if (!encodable) {
            unencodable(sent);
            return;
        }
        if (frames != null) {
            enqueue(bytes, done -> writeFrame(ServerFrames.frame(ServerFrames.TEXT, text.getBytes(StandardCharsets.UTF_8)),
                    done), sent);
            return;
        }
        enqueue(bytes, done -> jakarta().sendText(text, done), sent);
    }

    private void unencodable(Consumer<Boolean> sent) {
        // Tyrus would throw an Error from its strict encoder, on the caller's thread (under its locks)
        metrics.error("unencodable-text");
        LOG.log(Level.FINE, "text with an unpaired surrogate not sent on {0}", id());
        if (sent != null) {
            sent.accept(false);
        }
    }

    /** Sends a fan-out message's frames, back to back; the content was encoded once for all receivers. */
    public void deliver(Broadcast broadcast) {
        for (Broadcast.Frame frame : broadcast.frames()) {
            send(frame);
        }
    }

    /** Sends one pre-encoded frame (shared, never copied). */
    public void send(Broadcast.Frame frame) {
        send(frame, null);
    }

    /**
     * Sends one pre-encoded frame and reports when the container has taken it (true) or the send
     * failed or was refused (false); {@code sent} may be null.
     */
    public void send(Broadcast.Frame frame, Consumer<Boolean> sent) {
        if (sendShared(frame, sent)) {
            return;
        }
        if (frames != null && (!(frame instanceof Broadcast.Text text) || text.encodable())) {
            enqueue(frame.bytes(), done -> writeFrame(frame.wire(), done), sent); // framed once, for every receiver
            return;
        }
        if (frame instanceof Broadcast.Text text) {
            sendText(text.text(), text.bytes(), text.encodable(), sent); // checked once, for every receiver
        } else if (frame instanceof Broadcast.Binary binary) {
            ByteBuffer data = ByteBuffer.wrap(binary.data()).asReadOnlyBuffer();
            enqueue(data.remaining(), done -> jakarta().sendBinary(data, done), sent);
        }
    }

    /**
     * A broadcast's text to a compressed session without context takeover: the frame compressed
     * once for every such receiver (or plain, under {@code compression.min-bytes}), by the raw
     * writer; false when the session has no shared frames (the Jakarta API compresses its own).
     */
    private boolean sendShared(Broadcast.Frame frame, Consumer<Boolean> sent) {
        if (sharedFrames == null || !(frame instanceof Broadcast.Text text) || !text.encodable()) {
            return false;
        }
        enqueue(text.bytes(), done -> {
            ByteBuffer wire = text.wire(sharedDeflater);
            if (!WriteBatch.add(sharedFrames, wire, done)) {
                sharedFrames.write(wire).whenComplete(done);
            }
        }, sent);
        return true;
    }

    private static SharedDeflater sharedDeflater(Session session) {
        try {
            return SharedDeflater.of(session.getNegotiatedExtensions());
        } catch (RuntimeException closed) {
            return null;
        }
    }

    /**
     * The Jakarta API's sender, after what this thread batched of the session's shared compressed
     * frames: a send outside the batch never overtakes them.
     */
    private RemoteEndpoint.Async jakarta() {
        if (sharedFrames != null) {
            WriteBatch.flush(sharedFrames);
        }
        return session.getAsyncRemote();
    }

    /** When the peer was last heard from ({@link System#nanoTime()}). */
    public long lastHeard() {
        return lastHeardNanos;
    }

    /** Sends the buffer's remaining bytes; the buffer must not change until sent (shared buffers: pass a duplicate). */
    public void sendBinary(ByteBuffer data) {
        sendBinary(data, null);
    }

    /**
     * Sends the buffer's remaining bytes and reports when the container has taken them (true) or
     * failed (false) — for relays that must not read more until the peer keeps up.
     */
    public void sendBinary(ByteBuffer data, Consumer<Boolean> sent) {
        if (frames != null) {
            enqueue(data.remaining(), done -> writeFrame(ServerFrames.frame(ServerFrames.BINARY, data), done), sent);
            return;
        }
        enqueue(data.remaining(), done -> jakarta().sendBinary(data, done), sent);
    }

    /**
     * A whole frame on the fast path: into this thread's write batch when a fan-out stripe has one
     * open, else written now. Tyrus's lock orders it with the container's own sends.
     */
    private void writeFrame(ByteBuffer frame, Send send) {
        if (!WriteBatch.add(frames, frame, send)) {
            frames.write(frame).whenComplete(send);
        }
    }

    private void enqueue(long bytes, Consumer<Send> write, Consumer<Boolean> sent) {
        if (closing.get()) {
            if (sent != null) {
                sent.accept(false);
            }
            return;
        }
        long queued = pendingBytes.addAndGet(bytes);
        // One message alone never counts as slow: only what is still waiting ahead of it does. Not
        // "the total over the limit": a container that reports a send done from its I/O thread
        // (WildFly's Undertow) has the image's few-byte header still pending when the image comes.
        if (queued - bytes > limits.sendQueueBytes()) {
            pendingBytes.addAndGet(-bytes);
            metrics.slowConsumerClosed();
            close(1013, "slow consumer: send queue over " + limits.sendQueueBytes() + " bytes");
            if (sent != null) {
                sent.accept(false);
            }
            return;
        }
        Send send = new Send(bytes, sent);
        if (sent != null) {
            outstanding.add(send);
        }
        try {
            write.accept(send);
        } catch (RuntimeException e) { // the session closed under us
            LOG.log(Level.FINE, "send refused on " + id(), e);
            send.settle(false);
        }
    }

    /**
     * One message handed to the container: settled exactly once, by the container's report or by
     * the teardown of the connection (Jetty's FrameFlusher likewise fails what is queued when a
     * connection ends abnormally), whichever comes first.
     */
    private final class Send extends AtomicBoolean implements SendHandler, java.util.function.BiConsumer<Object, Throwable> {
        private final long bytes;
        private final Consumer<Boolean> sent;

        Send(long bytes, Consumer<Boolean> sent) {
            this.bytes = bytes;
            this.sent = sent;
        }

        @Override
        public void onResult(SendResult result) {
            if (result.isOK()) {
                if (settle(true)) {
                    metrics.sent(bytes);
                    messagesOut.increment();
                    bytesOut.add(bytes);
                }
            } else {
                LOG.log(Level.FINE, "send failed on " + id(), result.getException());
                settle(false);
            }
        }

        /** The fast path's report: its future's completion. */
        @Override
        public void accept(Object written, Throwable failure) {
            if (failure == null) {
                if (settle(true)) {
                    metrics.sent(bytes);
                    messagesOut.increment();
                    bytesOut.add(bytes);
                }
            } else {
                LOG.log(Level.FINE, "send failed on " + id(), failure);
                settle(false);
            }
        }

        boolean settle(boolean ok) {
            if (!compareAndSet(false, true)) {
                return false;
            }
            if (!tornDown) {
                pendingBytes.addAndGet(-bytes);
            }
            if (sent != null) {
                outstanding.remove(this);
                sent.accept(ok);
            }
            return true;
        }
    }

    /**
     * Closes once with {@code code} and {@code reason} (reason cut to the 123 bytes RFC 6455 §5.5
     * allows). The transport is ended {@link #CLOSE_GRACE} later whatever the peer does.
     */
    public void close(int code, String reason) {
        if (frames != null) {
            WriteBatch.flush(frames); // what this thread batched goes before the close frame
        }
        if (sharedFrames != null) {
            WriteBatch.flush(sharedFrames);
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), truncate(reason)));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "close failed on " + id(), e);
        }
        scheduleTeardown();
    }

    /** The container reports the connection closed (by either side): nothing more may be sent. */
    void closed() {
        closing.set(true);
        scheduleTeardown();
    }

    /**
     * After the close handshake's grace, the transport is ended — a no-op when the handshake
     * finished — and every send still outstanding is failed, so that its bytes are let go and
     * {@link #queuedBytes()} is back to 0 (RFC 6455 §7.1.1: after a close, the server closes the
     * TCP connection; one that does not finish the handshake in time is closed anyway).
     */
    private void scheduleTeardown() {
        if (teardownScheduled.compareAndSet(false, true)) {
            try {
                timers.schedule(this::tearDown, limits.closeGrace().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                tearDown(); // the application is stopping: no grace left to give
            }
        }
    }

    void tearDown() {
        long unsent = pendingBytes.get();
        if (Transport.abort(session) && unsent > 0) {
            LOG.log(Level.FINE, "ended the transport of {0} with {1} bytes unsent after its close grace",
                    new Object[] {id(), unsent});
        }
        tornDown = true; // from here on nothing is queued: late reports from the container change nothing
        pendingBytes.set(0);
        for (Send send : outstanding.toArray(new Send[0])) {
            send.settle(false);
        }
    }

    static String truncate(String reason) {
        if (Utf8.encodedLength(reason) <= 123) {
            return reason;
        }
        StringBuilder cut = new StringBuilder();
        for (int i = 0; i < reason.length(); ) {
            int cp = reason.codePointAt(i);
            String next = new String(Character.toChars(cp));
            if (Utf8.encodedLength(cut) + Utf8.encodedLength(next) > 123) {
                break;
            }
            cut.append(next);
            i += Character.charCount(cp);
        }
        return cut.toString();
    }
}
