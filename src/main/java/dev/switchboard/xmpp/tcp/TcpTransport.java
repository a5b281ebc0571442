package dev.switchboard.xmpp.tcp;

import dev.switchboard.ops.EndpointMetrics;
import dev.switchboard.xmpp.StreamErrorCondition;
import dev.switchboard.xmpp.XmlElement;
import dev.switchboard.xmpp.XmppFrame;
import dev.switchboard.xmpp.XmppStreamException;
import dev.switchboard.xmpp.XmppStreamHandler;
import dev.switchboard.xmpp.XmppTransport;
import dev.switchboard.xmpp.XmppWriter;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client's RFC 6120 stream on a TCP socket: the {@link XmppTransport} its session writes to,
 * and the reading side that feeds an {@link XmppStreamReader} and calls the session.
 *
 * <p>Three kinds of thread touch it. The listener's selector thread does every socket and TLS
 * operation (so the SSLEngine has one user). The connection's stream executor (one task at a time,
 * on the listener's small pool) parses and calls the session. Any thread may send: a send appends
 * to a bounded outbox and asks the selector to flush. A reader that falls {@code send-queue-bytes}
 * behind gets {@code resource-constraint} (RFC 6120 §4.9.3.17) and is closed.
 *
 * <p>Ending a stream: the closing tag (after a {@code <stream:error>} when failing), then, once
 * flushed, TLS close_notify and a half-close; what the client still sends is read and dropped until
 * it closes too (or a short linger passes), so that a reset does not destroy the error in flight.
 */
final class TcpTransport implements XmppTransport {

    private static final Logger LOG = Logger.getLogger(TcpTransport.class.getName());
    static final String STREAM_END = "</stream:stream>";
    /** Decrypted or plain bytes waiting for the stream thread before the socket stops being read. */
    private static final int INBOX_PAUSE_BYTES = 64 * 1024;
    private static final long LINGER_NANOS = 2_000_000_000L;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final byte[] PROCEED = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>".getBytes(StandardCharsets.UTF_8);

    enum State { OPEN, DRAINING, CLOSED }

    private final XmppTcpListener listener;
    private final SocketChannel channel;
    private final String remote;
    private final EndpointMetrics metrics;
    private final SSLContext tlsContext;
    private final long sendQueueBytes;
    private final String domain;
    private final SerialExecutor stream;
    private final XmppStreamReader reader;
    private XmppStreamHandler session;
    private SelectionKey key;

    // The outbox, guarded by this.
    private final ArrayDeque<ByteBuffer> outbox = new ArrayDeque<>();
    private long outboxBytes;
    private boolean ending;
    private boolean headerEverSent;
    private ByteBuffer proceed;
    private int closeCode = 1006;

    // Selector → stream thread, guarded by inbox.
    private final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    private int inboxBytes;
    private boolean discardingInput;
    private boolean readPaused;

    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final AtomicBoolean disconnected = new AtomicBoolean();
    /** The client sent its closing tag: nothing more comes, so no linger once ours is out. */
    private volatile boolean clientEnded;
    private volatile Tls tls;
    /** A whitespace keepalive may be written: a stream header is out and no restart is under way. */
    private volatile boolean keepaliveAllowed;

    // Selector thread only.
    private State state = State.OPEN;
    /** The selector thread's buffers, shared by all its connections (each empties them before the next). */
    private final XmppTcpListener.SelectorBuffers buffers;
    private SSLEngine engine;
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private volatile long lastReadNanos;
    private volatile long lastWriteNanos;
    private long endDeadline;

    TcpTransport(XmppTcpListener listener, SocketChannel channel, EndpointMetrics metrics, SSLContext tlsContext,
                 long sendQueueBytes, int maxStanzaBytes, String domain, SerialExecutor stream,
                 XmppTcpListener.SelectorBuffers buffers) {
        this.listener = listener;
        this.buffers = buffers;
        this.channel = channel;
        this.metrics = metrics;
        this.tlsContext = tlsContext;
        this.sendQueueBytes = sendQueueBytes;
        this.domain = domain;
        this.stream = stream;
        this.remote = addressOf(channel);
        this.tls = tlsContext == null ? Tls.UNAVAILABLE : Tls.OFFERED;
        this.reader = new XmppStreamReader(maxStanzaBytes, new Inbound());
        long now = System.nanoTime();
        this.lastReadNanos = now;
        this.lastWriteNanos = now;
    }

    /** Called by the selector thread once the socket is registered. */
    void start(SelectionKey key, XmppStreamHandler session) {
        this.key = key;
        this.session = session;
    }

    private static String addressOf(SocketChannel channel) {
        try {
            if (channel.getRemoteAddress() instanceof InetSocketAddress address && address.getAddress() != null) {
                return address.getAddress().getHostAddress();
            }
        } catch (IOException ignored) {
            // a socket already gone: no address to tell
        }
        return "";
    }

    // ------------------------------------------------------------------ XmppTransport

    @Override
    public void open(String from, String streamId) {
        synchronized (this) {
            headerEverSent = true;
        }
        enqueue(header(from, streamId).getBytes(StandardCharsets.UTF_8), false);
        keepaliveAllowed = true;
    }

    /** RFC 6120 §4.7: the XML declaration and the server's stream header, as one write. */
    static String header(String from, String streamId) {
        StringBuilder out = new StringBuilder(220);
        out.append("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'");
        attribute(out, "from", from);
        attribute(out, "id", streamId);
        out.append(" version='1.0' xml:lang='en'>");
        return out.toString();
    }

    private static void attribute(StringBuilder out, String name, String value) {
        if (value == null) {
            return;
        }
        out.append(' ').append(name).append("='");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                default -> out.append(c < 0x20 ? ' ' : c);
            }
        }
        out.append('\'');
    }

    @Override
    public void send(String element) {
        byte[] bytes = element.getBytes(StandardCharsets.UTF_8);
        if (enqueue(bytes, true)) {
            metrics.sent(bytes.length);
        }
    }

    @Override
    public void sendSuccessAndRestart(String success) {
        // RFC 6120 §6.4.6: with <success/> the stream is replaced; the client's next bytes start a
        // new one (its own XML declaration included), and no keepalive may come before our header
        keepaliveAllowed = false;
        reader.restartAfterThisElement();
        send(success);
    }

    @Override
    public void close() {
        end(null, null);
    }

    @Override
    public void fail(StreamErrorCondition condition, String text) {
        end(condition, text);
    }

    @Override
    public Tls tls() {
        return tls;
    }

    @Override
    public void startTls() {
        if (tls != Tls.OFFERED || tlsContext == null) {
            throw new IllegalStateException("STARTTLS is not on offer here (" + tls + ")");
        }
        keepaliveAllowed = false;
        // RFC 6120 §5.4.3.3: nothing the client sent after <starttls/> counts; the next stream
        // starts after the handshake, on a fresh parser
        reader.discardAndRestart();
        synchronized (inbox) {
            inbox.clear();
            inboxBytes = 0;
            discardingInput = true;
        }
        synchronized (this) {
            if (ending) {
                return;
            }
            proceed = ByteBuffer.wrap(PROCEED);
            outbox.add(proceed);
            outboxBytes += PROCEED.length;
        }
        requestFlush();
    }

    @Override
    public String remoteAddress() {
        return remote;
    }

    @Override
    public EndpointMetrics metrics() {
        return metrics;
    }

    // ------------------------------------------------------------------ outbox

    /** Appends to the outbox; false when the stream is ending (or the reader fell too far behind). */
    private boolean enqueue(byte[] bytes, boolean counted) {
        boolean overflow = false;
        synchronized (this) {
            if (ending) {
                return false;
            }
            if (counted && outboxBytes + bytes.length > sendQueueBytes) {
                overflow = true;
            } else {
                outbox.add(ByteBuffer.wrap(bytes));
                outboxBytes += bytes.length;
            }
        }
        if (overflow) {
            slowReader();
            return false;
        }
        requestFlush();
        return true;
    }

    /** The client reads slower than the server writes to it: what is queued is dropped, and the stream ends. */
    private void slowReader() {
        synchronized (this) {
            if (ending) {
                return;
            }
            ByteBuffer started = outbox.peek();
            outbox.clear();
            outboxBytes = 0;
            if (started != null && started.position() > 0) {
                // half an element is out: finish it, or the error would land inside it
                outbox.add(started);
                outboxBytes = started.remaining();
            }
        }
        metrics.slowConsumerClosed();
        end(StreamErrorCondition.RESOURCE_CONSTRAINT, "the client reads too slowly: over send-queue-bytes " + sendQueueBytes
                + " waiting");
    }

    private void end(StreamErrorCondition condition, String text) {
        synchronized (this) {
            if (ending) {
                return;
            }
            ending = true;
            StringBuilder out = new StringBuilder(160);
            if (condition != null && !headerEverSent) {
                // RFC 6120 §4.9.1.1: an error before our header still opens the stream first
                out.append(header(domain, UUID.randomUUID().toString()));
                headerEverSent = true;
            }
            if (condition != null) {
                out.append(XmppWriter.streamError(condition, text));
            }
            if (headerEverSent) {
                out.append(STREAM_END);
            }
            byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
            outbox.add(ByteBuffer.wrap(bytes));
            outboxBytes += bytes.length;
            closeCode = condition == null ? 1000 : switch (condition) {
                case SYSTEM_SHUTDOWN -> 1001;
                case RESOURCE_CONSTRAINT -> 1013;
                default -> 1008;
            };
        }
        keepaliveAllowed = false;
        if (condition != null) {
            metrics.error(condition.elementName());
        }
        reader.stop();
        listener.onSelector(() -> {
            endDeadline = System.nanoTime() + LINGER_NANOS;
            flush();
        });
    }

    synchronized boolean isEnding() {
        return ending;
    }

    private void requestFlush() {
        if (flushQueued.compareAndSet(false, true)) {
            listener.onSelector(() -> {
                flushQueued.set(false);
                flush();
            });
        }
    }

    // ------------------------------------------------------------------ selector thread: writing

    /** Writes what the outbox holds as far as the socket takes it; the rest waits for OP_WRITE. */
    void flush() {
        if (state == State.CLOSED || state == State.DRAINING) {
            return;
        }
        try {
            if (engine != null) {
                flushTls();
            } else {
                flushPlain();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "XMPP TCP write to " + remote + " failed", e);
            closeNow();
        }
    }

    private void flushPlain() throws IOException {
        synchronized (this) {
            ByteBuffer head;
            while ((head = outbox.peek()) != null) {
                if (head == proceed && head.position() == 0) {
                    dropPendingInput();
                }
                if (channel.write(head) > 0) {
                    lastWriteNanos = System.nanoTime();
                }
                if (head.hasRemaining()) {
                    wantWrite(true);
                    return;
                }
                outbox.poll();
                outboxBytes -= head.limit();
                if (head == proceed) {
                    proceed = null;
                    switchToTls();
                    return;
                }
            }
        }
        wantWrite(false);
        outputDone();
    }

    private void flushTls() throws IOException {
        if (!writeNet()) {
            return;
        }
        if (engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            // application data waits for the handshake, which goes on here if it was waiting to write
            unwrap();
            return;
        }
        synchronized (this) {
            ByteBuffer head;
            while ((head = outbox.peek()) != null) {
                SSLEngineResult result = engine.wrap(head, netOut);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    closeNow();
                    return;
                }
                if (!writeNet()) {
                    return;
                }
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    continue; // netOut was emptied by writeNet: wrap again
                }
                if (!head.hasRemaining()) {
                    outbox.poll();
                    outboxBytes -= head.limit();
                }
            }
        }
        outputDone();
    }

    /** Writes netOut; true when all of it went out. */
    private boolean writeNet() throws IOException {
        netOut.flip();
        try {
            while (netOut.hasRemaining()) {
                int written = channel.write(netOut);
                if (written == 0) {
                    wantWrite(true);
                    return false;
                }
                lastWriteNanos = System.nanoTime();
            }
        } finally {
            netOut.compact();
        }
        wantWrite(false);
        return true;
    }

    /** Once the outbox is empty on an ending stream: TLS close_notify, half-close, then drain. */
    private void outputDone() throws IOException {
        synchronized (this) {
            if (!ending || !outbox.isEmpty()) {
                return;
            }
        }
        if (engine != null && !engine.isOutboundDone()) {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult result = engine.wrap(EMPTY, netOut);
                if (result.getStatus() != SSLEngineResult.Status.OK) {
                    break;
                }
            }
        }
        if (engine != null && !writeNet()) {
            return;
        }
        if (clientEnded) {
            closeNow();
            return;
        }
        try {
            channel.shutdownOutput();
        } catch (IOException ignored) {
            // the peer is gone already: closing follows
        }
        state = State.DRAINING;
        endDeadline = System.nanoTime() + LINGER_NANOS;
        synchronized (inbox) {
            inbox.clear();
            inboxBytes = 0;
            discardingInput = true;
        }
        setInterest(SelectionKey.OP_READ, true);
    }

    private void wantWrite(boolean on) {
        setInterest(SelectionKey.OP_WRITE, on);
    }

    private void setInterest(int op, boolean on) {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = key.interestOps();
        key.interestOps(on ? ops | op : ops & ~op);
    }

    /** Before <proceed/> goes out: whatever the client sent after <starttls/> is dropped unread. */
    private void dropPendingInput() throws IOException {
        for (int i = 0; i < 64; i++) {
            ByteBuffer scratch = buffers.read();
            if (channel.read(scratch) <= 0) {
                break;
            }
        }
    }

    private void switchToTls() throws SSLException {
        engine = tlsContext.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        int packet = engine.getSession().getPacketBufferSize();
        netIn = ByteBuffer.allocate(packet);
        netOut = ByteBuffer.allocate(packet);
        engine.beginHandshake();
        synchronized (inbox) {
            discardingInput = false;
        }
        setInterest(SelectionKey.OP_READ, true);
    }

    // ------------------------------------------------------------------ selector thread: reading

    void onReadable() {
        try {
            if (state == State.DRAINING) {
                if (channel.read(buffers.read()) < 0) {
                    closeNow();
                }
                return;
            }
            if (engine == null) {
                ByteBuffer readBuffer = buffers.read();
                int read = channel.read(readBuffer);
                if (read < 0) {
                    peerClosed();
                    return;
                }
                if (read > 0) {
                    lastReadNanos = System.nanoTime();
                    deliver(readBuffer.array(), 0, read);
                }
            } else {
                int read = channel.read(netIn);
                if (read < 0) {
                    peerClosed();
                    return;
                }
                if (read > 0) {
                    lastReadNanos = System.nanoTime();
                }
                unwrap();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "XMPP TCP read from " + remote + " failed", e);
            closeNow();
        }
    }

    /**
     * The client's FIN: what it sent before is still parsed and answered (a client that half-closes
     * after {@code </stream:stream>} gets ours), then the socket is closed.
     */
    private void peerClosed() {
        if (state != State.OPEN) {
            closeNow();
            return;
        }
        clientEnded = true;
        endDeadline = System.nanoTime() + LINGER_NANOS;
        setInterest(SelectionKey.OP_READ, false);
        stream.execute(this::close);
    }

    void onWritable() {
        if (state == State.OPEN) {
            flush();
        }
    }

    private void unwrap() throws IOException {
        netIn.flip();
        try {
            reading:
            while (true) {
                SSLEngineResult.HandshakeStatus handshake = engine.getHandshakeStatus();
                if (handshake == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    continue;
                }
                if (handshake == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    SSLEngineResult result = engine.wrap(EMPTY, netOut);
                    if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                        handshakeFinished();
                    }
                    if (!writeNet() || result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        break;
                    }
                    continue;
                }
                if (!netIn.hasRemaining()) {
                    break;
                }
                ByteBuffer appIn = buffers.app(engine.getSession().getApplicationBufferSize());
                SSLEngineResult result = engine.unwrap(netIn, appIn);
                switch (result.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        if (netIn.limit() == netIn.capacity() && netIn.position() == 0) {
                            netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                        }
                        break reading;
                    }
                    case BUFFER_OVERFLOW -> {
                        if (!deliverApp(appIn)) {
                            buffers.app(appIn.capacity() * 2);
                        }
                        continue;
                    }
                    case CLOSED -> {
                        closeNow();
                        return;
                    }
                    default -> {
                        // OK
                    }
                }
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                    handshakeFinished();
                }
                deliverApp(appIn);
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
                        && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                    break;
                }
            }
        } finally {
            if (state != State.CLOSED) {
                netIn.compact();
            }
        }
    }

    private static ByteBuffer grow(ByteBuffer buffer, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, buffer.capacity() * 2));
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }

    /** Hands the decrypted bytes to the stream thread; false when there were none. */
    private boolean deliverApp(ByteBuffer appIn) {
        if (appIn.position() == 0) {
            return false;
        }
        appIn.flip();
        byte[] bytes = new byte[appIn.remaining()];
        appIn.get(bytes);
        appIn.clear();
        deliver(bytes, 0, bytes.length);
        return true;
    }

    private void handshakeFinished() {
        tls = Tls.ESTABLISHED;
        requestFlush();
    }

    private void deliver(byte[] bytes, int offset, int length) {
        byte[] copy = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        synchronized (inbox) {
            if (discardingInput) {
                return;
            }
            inbox.add(copy);
            inboxBytes += copy.length;
            if (inboxBytes > INBOX_PAUSE_BYTES && !readPaused) {
                // the stream thread is behind: stop reading until it catches up (TCP pushes back)
                readPaused = true;
                setInterest(SelectionKey.OP_READ, false);
            }
        }
        stream.execute(this::readInbox);
    }

    // ------------------------------------------------------------------ stream thread

    private void readInbox() {
        while (true) {
            byte[] chunk;
            synchronized (inbox) {
                chunk = inbox.poll();
                if (chunk == null) {
                    if (readPaused) {
                        readPaused = false;
                        listener.onSelector(() -> {
                            if (state == State.OPEN) {
                                setInterest(SelectionKey.OP_READ, true);
                            }
                        });
                    }
                    return;
                }
                inboxBytes -= chunk.length;
            }
            if (!isEnding()) {
                try {
                    reader.feed(chunk);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "XMPP stream of " + remote + " failed", e);
                    fail(StreamErrorCondition.INTERNAL_SERVER_ERROR, null);
                }
            }
        }
    }

    /** What the reader finds, passed to the session unless the stream is already ending. */
    private final class Inbound implements XmppStreamHandler {
        @Override
        public void opened(XmppFrame.Open open) {
            if (!isEnding()) {
                session.opened(open);
            }
        }

        @Override
        public void received(XmlElement element) {
            if (!isEnding()) {
                metrics.received(reader.lastElementBytes());
                session.received(element);
            }
        }

        @Override
        public void closedByClient() {
            clientEnded = true;
            if (!isEnding()) {
                session.closedByClient();
            }
            close();
        }

        @Override
        public void malformed(XmppStreamException error) {
            if (!isEnding()) {
                session.malformed(error);
            }
            // the session answers with fail(); should it not, the stream still ends with the error
            fail(error.condition(), null);
        }

        @Override
        public void disconnected() {
            // the reader never reports this: the socket does (closeNow)
        }
    }

    // ------------------------------------------------------------------ timers and closing

    /** The listener's sweep: idle peers, keepalives, streams that do not finish ending. */
    void sweep(long now, long idleNanos, long keepaliveNanos) {
        if (state == State.CLOSED) {
            return;
        }
        boolean isEnding = isEnding();
        if (isEnding || state == State.DRAINING || clientEnded) {
            if (endDeadline != 0 && now - endDeadline > 0) {
                closeNow();
            }
            return;
        }
        if (now - lastReadNanos > idleNanos) {
            fail(StreamErrorCondition.CONNECTION_TIMEOUT, "nothing received for " + idleNanos / 1_000_000_000L + " s");
            return;
        }
        if (keepaliveAllowed && now - lastWriteNanos > keepaliveNanos && outboxEmpty()
                && (engine == null || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING)) {
            // RFC 6120 §4.6.1: one space keeps NATs and the client's own idle checks happy
            lastWriteNanos = now;
            enqueue(new byte[] {' '}, false);
        }
    }

    private synchronized boolean outboxEmpty() {
        return outbox.isEmpty();
    }

    /** Closes the socket now, whatever is queued; the session hears {@code disconnected()} once. */
    void closeNow() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        int code;
        synchronized (this) {
            ending = true;
            outbox.clear();
            outboxBytes = 0;
            code = closeCode;
        }
        reader.stop();
        listener.closed(this);
        metrics.closed(code);
        if (disconnected.compareAndSet(false, true) && session != null) {
            stream.execute(() -> session.disconnected());
        }
    }
}
