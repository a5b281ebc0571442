package dev.switchboard.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * The load generator: many WebSocket connections on Netty's non-blocking WebSocket client, one
 * event loop per core for all of them, every scenario bounded in time. Each public-ish method is one scenario
 * and returns its row of the table.
 */
final class LoadClient implements AutoCloseable {

    static final int STOMP_BODY_BYTES = 256;

    private final EventLoopGroup loops = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("bench-client", true));

    /** The process behind each server's base URI, where the tool started it: its CPU goes into the fan-out rows. */
    private final ConcurrentMap<String, Long> serverPids = new ConcurrentHashMap<>();

    /** Close codes the servers sent during the run, by code (e.g. 1013 for a subscriber that fell behind). */
    private final ConcurrentMap<Integer, AtomicLong> closeCodes = new ConcurrentHashMap<>();

    /** What a scenario does with each whole message a connection receives. */
    interface Handler {
        void text(String text);

        default void binary(ByteBuffer data) {
        }
    }

    /**
     * One connection: Netty's WebSocket client codec in front of a scenario's {@link Handler}, run
     * on the event loop that reads the socket (no hand-off per frame). A connection can also stop
     * reading ({@link #stall()}), the way a stuck browser tab would.
     */
    final class Conn extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final Handler handler;
        private final CompletableFuture<Conn> open = new CompletableFuture<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private volatile Channel channel;

        Conn(Handler handler) {
            this.handler = handler;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                channel = ctx.channel();
                open.complete(this);
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                open.completeExceptionally(new IOException("handshake timed out"));
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                handler.text(text.text());
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                handler.binary(binary.content().nioBuffer());
            } else if (frame instanceof CloseWebSocketFrame close) {
                closeCodes.computeIfAbsent(close.statusCode(), c -> new AtomicLong()).incrementAndGet();
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            open.completeExceptionally(new IOException("closed before the handshake completed"));
            closed.complete(null);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            open.completeExceptionally(cause);
            ctx.close(); // a connection the server dropped is counted through its close code, if it sent one
        }

        /** Completes when the connection has ended, by either side. */
        CompletableFuture<Void> closed() {
            return closed;
        }

        /** Stops reading: frames pile up in the socket buffers and then in the server's queue for it. */
        void stall() {
            channel.config().setAutoRead(false);
        }

        /** Reads again: what was queued for it arrives, and then its close frame if the server closed it. */
        void resume() {
            channel.config().setAutoRead(true);
        }

        void send(String text) {
            channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
        }

        void send(ByteBuffer data) {
            channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(data.slice())), channel.voidPromise());
        }

        void abort() {
            if (channel != null) {
                channel.close();
            }
        }
    }

    /**
     * Opens {@code count} connections, at most 256 handshakes at a time. With
     * {@code receiveBufferBytes} &gt; 0 the sockets get that receive buffer (a small one makes a
     * stalled reader visible to the server sooner).
     */
    private List<Conn> open(String url, int count, String subprotocol, int receiveBufferBytes, IntFunction<Handler> handlers)
            throws Exception {
        return open(url, count, subprotocol, receiveBufferBytes, true, handlers);
    }

    private List<Conn> open(String url, int count, String subprotocol, int receiveBufferBytes, boolean closeHandshake,
                            IntFunction<Handler> handlers) throws Exception {
        List<Conn> conns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Conn conn = connect(url, subprotocol, receiveBufferBytes, closeHandshake, handlers.apply(i));
            conns.add(conn);
            if (conns.size() % 256 == 0) {
                conn.open.get(30, TimeUnit.SECONDS); // bounded bursts of handshakes
            }
        }
        for (Conn conn : conns) {
            conn.open.get(30, TimeUnit.SECONDS);
        }
        return conns;
    }

    /**
     * Starts one connection and returns at once; its {@code open} completes with the handshake.
     * Without {@code closeHandshake}, closing it ends the TCP connection with no close frame, as a
     * network drop or the JDK client's {@code WebSocket.abort()} would.
     */
    private Conn connect(String url, String subprotocol, int receiveBufferBytes, boolean closeHandshake, Handler handler) {
        URI uri = URI.create(url);
        Bootstrap bootstrap = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if (receiveBufferBytes > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, receiveBufferBytes);
        }
        Conn conn = new Conn(handler);
        WebSocketClientProtocolConfig.Builder config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri).subprotocol(subprotocol).maxFramePayloadLength(16 << 20)
                .handleCloseFrames(false).dropPongFrames(true).handshakeTimeoutMillis(30_000);
        if (!closeHandshake) {
            config.sendCloseFrame(null);
        }
        WebSocketClientProtocolConfig built = config.build();
        bootstrap.handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                        new WebSocketClientProtocolHandler(built), new WebSocketFrameAggregator(16 << 20), conn);
            }
        }).connect(uri.getHost(), uri.getPort()).addListener(done -> {
            if (!done.isSuccess()) {
                conn.open.completeExceptionally(done.cause());
            }
        });
        return conn;
    }

    List<Conn> open(String url, int count, String subprotocol, IntFunction<Handler> handlers) throws Exception {
        return open(url, count, subprotocol, 0, handlers);
    }

    private static void closeAll(List<Conn> conns) {
        conns.forEach(Conn::abort);
    }

    /** Names the process behind {@code wsBase}, so the fan-out rows give its CPU beside the client's. */
    void serverProcess(String wsBase, long pid) {
        serverPids.put(wsBase, pid);
    }

    /** CPU of this JVM and of the server at {@code wsBase} (where known) from now until {@code stop()}. */
    private XmppLoad.Cpu cpu(String wsBase) {
        return XmppLoad.Cpu.start(serverPids.getOrDefault(wsBase, -1L));
    }

    /** Every close code servers sent so far, with counts, for diagnostics. */
    String closeCodesSeen() {
        return new java.util.TreeMap<>(closeCodes).toString();
    }

    long closes(int code) {
        AtomicLong n = closeCodes.get(code);
        return n == null ? 0 : n.get();
    }

    /** Closed loop: {@code connections} × {@code inFlight} messages always outstanding; round trips per second. */
    double echoThroughput(String wsBase, int connections, int inFlight, int payloadBytes, Duration warmup, Duration measure)
            throws Exception {
        String payload = "x".repeat(payloadBytes);
        AtomicLong replies = new AtomicLong();
        List<Conn> conns = new ArrayList<>();
        // every reply is answered with the next message on the same connection
        conns.addAll(open(wsBase + "echo", connections, null, i -> text -> {
            replies.incrementAndGet();
            conns.get(i).send(payload);
        }));
        for (Conn conn : conns) {
            for (int i = 0; i < inFlight; i++) {
                conn.send(payload);
            }
        }
        Thread.sleep(warmup.toMillis()); // the run is bounded in time: warm-up, then the measured window
        long start = replies.get();
        long t0 = System.nanoTime();
        Thread.sleep(measure.toMillis());
        long done = replies.get() - start;
        double seconds = (System.nanoTime() - t0) / 1e9;
        closeAll(conns);
        return done / seconds;
    }

    /** Open loop at a fixed total rate; latency from each message's scheduled send time (no coordinated omission). */
    Histogram echoLatency(String wsBase, int connections, int ratePerSecond, Duration warmup, Duration measure)
            throws Exception {
        Recorder recorder = new Recorder(3);
        boolean[] recording = {false};
        List<Conn> conns = open(wsBase + "echo", connections, null, i -> text -> {
            long scheduled = Long.parseLong(text.substring(0, text.indexOf(':')));
            if (recording[0]) {
                recorder.recordValue(Math.max(0, System.nanoTime() - scheduled) / 1000);
            }
        });
        String pad = "x".repeat(44);
        ScheduledExecutorService ticker = fixedRate(ratePerSecond, (n, scheduled) ->
                conns.get((int) (n % conns.size())).send(scheduled + ":" + pad));
        Thread.sleep(warmup.toMillis());
        recorder.reset();
        recording[0] = true;
        Thread.sleep(measure.toMillis());
        recording[0] = false;
        Histogram histogram = recorder.getIntervalHistogram();
        ticker.shutdownNow();
        closeAll(conns);
        return histogram;
    }

    /**
     * A closed-loop sender waiting for receivers to catch up: parks briefly rather than spinning,
     * since on a small machine a spinning client takes a core from the server it measures.
     */
    private static void pause() {
        java.util.concurrent.locks.LockSupport.parkNanos(50_000);
    }

    /** The n-th send of an open-loop run, due at {@code scheduledNanos}. */
    private interface ScheduledSend {
        void send(long n, long scheduledNanos);
    }

    /** Sends due messages every millisecond, each stamped with when it was due, not when it went. */
    private static ScheduledExecutorService fixedRate(double perSecond, ScheduledSend send) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-ticker"));
        double intervalNanos = 1e9 / perSecond;
        long origin = System.nanoTime();
        long[] sent = {0};
        ticker.scheduleAtFixedRate(() -> {
            long due = (long) ((System.nanoTime() - origin) / intervalNanos) + 1; // message n is due at origin + n × interval
            for (long n = sent[0]; n < due; n++) {
                send.send(n, origin + (long) (n * intervalNanos));
            }
            sent[0] = Math.max(sent[0], due);
        }, 0, 1, TimeUnit.MILLISECONDS);
        return ticker;
    }

    /** How a STOMP fan-out run paces its publisher. */
    record Pace(String name, double deliveriesPerSecond) {
        static final Pace MAX = new Pace("max", 0);

        static Pace fixed(double deliveriesPerSecond) {
            return new Pace(String.format(java.util.Locale.ROOT, "%.0fk/s", deliveriesPerSecond / 1000), deliveriesPerSecond);
        }
    }

    /**
     * One STOMP publisher, {@code subscribers} on one topic, 256-byte bodies. At max pace the
     * publisher stays at most a window ahead of the slowest subscriber; at a fixed pace it sends on
     * schedule and latency counts from the schedule. With {@code stalled}, one more subscriber stops
     * reading once subscribed and is left out of the window: the others' rate shows what it costs.
     */
    Results stompFanOut(String wsBase, String server, int subscribers, Pace pace, boolean stalled, int bodyBytes,
                        Duration measure) throws Exception {
        return stompFanOut(wsBase, List.of(wsBase), server, subscribers, pace, stalled, bodyBytes, measure);
    }

    /**
     * The publisher on {@code wsBase}, the subscribers spread over {@code subscriberBases} in turn
     * (nodes of one cluster: fan-out across nodes).
     */
    Results stompFanOut(String wsBase, List<String> subscriberBases, String server, int subscribers, Pace pace,
                        boolean stalled, int bodyBytes, Duration measure) throws Exception {
        AtomicLongArray lastSeq = new AtomicLongArray(subscribers);
        AtomicLong delivered = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        AtomicLongArray primed = new AtomicLongArray(subscribers);
        AtomicLong primedCount = new AtomicLong();
        Recorder latency = new Recorder(3);
        String topic = "/topic/bench." + System.nanoTime();
        String subscribe = "SUBSCRIBE\nid:0\ndestination:" + topic + "\nreceipt:s\n\n\0";
        CompletableFuture<Void> allSubscribed = new CompletableFuture<>();
        AtomicLong receipts = new AtomicLong();
        int total = subscribers + (stalled ? 1 : 0);
        List<Conn> subs = new ArrayList<>();
        IntFunction<Handler> handlers = i -> text -> {
            if (text.startsWith("CONNECTED")) {
                subs.get(i).send(subscribe);
                return;
            }
            if (text.startsWith("RECEIPT")) {
                if (i == subscribers) {
                    subs.get(i).stall(); // subscribed, and from now on never reads again
                }
                if (receipts.incrementAndGet() == total) {
                    allSubscribed.complete(null);
                }
                return;
            }
            if (!text.startsWith("MESSAGE") || i >= subscribers) {
                return;
            }
            int body = text.indexOf("\n\n") + 2;
            int colon = text.indexOf(':', body);
            long seq = Long.parseLong(text, body, colon, 10);
            if (seq == 0) {
                // a priming message: the subscription reaches this subscriber's node (see below); not counted
                if (primed.compareAndSet(i, 0, 1)) {
                    primedCount.incrementAndGet();
                }
                return;
            }
            long sentAt = Long.parseLong(text, colon + 1, text.indexOf(':', colon + 1), 10);
            if (seq != lastSeq.get(i) + 1) {
                outOfOrder.incrementAndGet();
            }
            lastSeq.set(i, seq);
            delivered.incrementAndGet();
            latency.recordValue(Math.max(0, System.nanoTime() - sentAt) / 1000);
        };
        int bases = subscriberBases.size();
        for (int b = 0; b < bases; b++) {
            int from = subscribers * b / bases;
            int count = subscribers * (b + 1) / bases - from;
            subs.addAll(open(subscriberBases.get(b) + "stomp", count, "v12.stomp", i -> handlers.apply(from + i)));
        }
        if (stalled) {
            subs.addAll(open(wsBase + "stomp", 1, "v12.stomp", 64 * 1024, i -> handlers.apply(subscribers)));
        }
        for (Conn sub : subs) {
            sub.send("CONNECT\naccept-version:1.2\nhost:bench\n\n\0");
        }
        allSubscribed.get(60, TimeUnit.SECONDS);
        long closed1013Before = closes(1013);
        Conn publisher = open(wsBase + "stomp", 1, "v12.stomp", i -> text -> { }).get(0);
        publisher.send("CONNECT\naccept-version:1.2\nhost:bench\n\n\0");
        String pad = "x".repeat(Math.max(0, bodyBytes - 40));
        String head = "SEND\ndestination:" + topic + "\n\n";
        if (bases > 1) {
            // Subscribers on other nodes: a broker whose RECEIPT comes before the other nodes know of the
            // subscription (Artemis's cluster propagates bindings asynchronously) would drop the first
            // messages for them. Message 0, sent every 20 ms until every subscriber has one, is the barrier.
            long primeUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (primedCount.get() < subscribers) {
                if (System.nanoTime() > primeUntil) {
                    throw new IllegalStateException(primedCount.get() + " of " + subscribers
                            + " subscribers got no message within 30 s of subscribing");
                }
                publisher.send(head + "0:0:" + pad + "\0");
                Thread.sleep(20);
            }
        }
        LongSupplier slowest = () -> {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < subscribers; i++) {
                min = Math.min(min, lastSeq.get(i));
            }
            return min;
        };
        long seq;
        XmppLoad.Cpu cpu = cpu(wsBase);
        long t0 = System.nanoTime();
        double seconds;
        if (pace.deliveriesPerSecond() > 0) {
            AtomicLong published = new AtomicLong();
            ScheduledExecutorService ticker = fixedRate(pace.deliveriesPerSecond() / subscribers, (n, scheduled) -> {
                publisher.send(head + (n + 1) + ":" + scheduled + ":" + pad + "\0");
                published.set(n + 1);
            });
            Thread.sleep(measure.toMillis());
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
            seconds = (System.nanoTime() - t0) / 1e9;
            seq = published.get();
        } else {
            // messages the slowest subscriber may be behind before the publisher waits: 200, and at most
            // 200,000 deliveries in flight (1→5,000: 40 messages), so a big topic's backlog drains in time
            long window = Math.min(200, Math.max(8, 200_000 / subscribers));
            seq = 0;
            long end = t0 + measure.toNanos();
            while (System.nanoTime() < end) {
                if (seq - slowest.getAsLong() >= window) {
                    pause();
                    continue;
                }
                seq++;
                publisher.send(head + seq + ":" + System.nanoTime() + ":" + pad + "\0");
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        XmppLoad.Cpu.Use used = cpu.stop();
        long deliveredInWindow = delivered.get();
        long expected = seq * subscribers;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(10, Math.min(30, subscribers / 100)));
        while (delivered.get() < expected && System.nanoTime() < drainDeadline) {
            Thread.sleep(10); // draining what is in flight, bounded
        }
        Histogram h = latency.getIntervalHistogram();
        if (stalled) {
            // a stalled reader never sees its close frame: read again, briefly, to learn how it was closed
            Conn stuck = subs.get(subscribers);
            stuck.resume();
            try {
                stuck.closed.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillOpen) {
                // the server kept it open
            }
        }
        closeAll(subs);
        publisher.abort();
        String scenario = "stomp 1→" + subscribers + " " + pace.name() + (stalled ? " +1 stalled" : "")
                + (bodyBytes != STOMP_BODY_BYTES ? " " + bodyBytes + " B" : "");
        return used.into(Results.of(scenario, server)
                .put("deliveries/s", (pace.deliveriesPerSecond() > 0 ? delivered.get() : deliveredInWindow) / seconds)
                .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                .put("lost", expected - delivered.get())
                .put("out-of-order", outOfOrder.get())
                .put("closed 1013", closes(1013) - closed1013Before));
    }

    Results stompFanOut(String wsBase, String server, int subscribers, Pace pace, Duration measure) throws Exception {
        return stompFanOut(wsBase, server, subscribers, pace, false, STOMP_BODY_BYTES, measure);
    }

    /**
     * One chat sender, {@code members} in the room: delivered messages per second, with at most
     * 20,000 deliveries (or 20 messages, in a bigger room) outstanding.
     */
    Results chatFanOut(String wsBase, String server, int members, Duration measure) throws Exception {
        // the joins cost N² presence messages and N welcomes listing up to N members: allow a big room its time
        long setupSeconds = Math.max(60, members / 50);
        long window = Math.max(20_000, 20L * members);
        String room = "bench-" + System.nanoTime();
        AtomicLong delivered = new AtomicLong();
        AtomicLong welcomes = new AtomicLong();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<Conn> conns = new ArrayList<>();
        conns.addAll(open(wsBase + "chat/" + room, members, null, i -> text -> {
            if (text.startsWith("{\"type\":\"message\"")) {
                delivered.incrementAndGet();
            } else if (text.startsWith("{\"type\":\"welcome\"") && welcomes.incrementAndGet() == members) {
                ready.complete(null);
            }
        }));
        for (int i = 0; i < members; i++) {
            conns.get(i).send("{\"type\":\"join\",\"nick\":\"m" + i + "\"}");
        }
        ready.get(setupSeconds, TimeUnit.SECONDS);
        Conn sender = conns.get(0);
        // A first message through the room: it comes after every join's presence in the room's one
        // order, so once all members have it the joins' backlog (N² presence messages) is out of the way.
        sender.send("{\"type\":\"message\",\"text\":\"barrier\"}");
        long barrierUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(setupSeconds);
        while (delivered.get() < members && System.nanoTime() < barrierUntil) {
            pause();
        }
        delivered.set(0);
        long sent = 0;
        XmppLoad.Cpu cpu = cpu(wsBase);
        long end = System.nanoTime() + measure.toNanos();
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            if (sent * members - delivered.get() > window) {
                pause();
                continue;
            }
            sender.send("{\"type\":\"message\",\"text\":\"bench " + sent + "\"}");
            sent++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        XmppLoad.Cpu.Use used = cpu.stop();
        long deliveredInWindow = delivered.get();
        closeAll(conns);
        return used.into(Results.of("chat fan-out 1→" + members, server).put("deliveries/s", deliveredInWindow / seconds));
    }

    /** The members of a reconnect storm whose connection is dropped, and how each one came back. */
    private static final class StormMember {
        final String nick;
        final List<Long> seqs = new ArrayList<>(); // every publisher sequence it got, both connections, guarded by this
        volatile Conn conn;
        volatile boolean dropped; // from then on its first connection's frames are ignored
        volatile long highest;
        volatile String epoch = "";
        volatile long lastOffset;
        volatile long reconnectStarted;
        volatile boolean recovered;
        int joinAttempts; // on the new connection's event loop only

        StormMember(String nick) {
            this.nick = nick;
        }

        synchronized void got(long seq) {
            seqs.add(seq);
            highest = Math.max(highest, seq);
        }

        synchronized long[] received() {
            return seqs.stream().mapToLong(Long::longValue).toArray();
        }
    }

    /**
     * A reconnect storm: {@code members} in chat room {@code room}, one publisher sending
     * {@code ratePerSecond} room messages, each text holding its sequence; after {@code warmup},
     * {@code dropped} members lose their connection (TCP closed, no close handshake) one after the
     * other over {@code spread}, and each reconnects at once and joins with {@code since} = the
     * epoch of its first welcome and the last offset it saw. Publishing goes on for
     * {@code measure} from the first drop (and at least a second after the last member is back),
     * then every member drains (30 s at most). Each reconnected member's messages (first connection,
     * then the new welcome's history and the live ones after it) are checked against what the
     * publisher sent ({@link RecoveryCheck}): missed (gaps), duplicated, and lost (not delivered by
     * the end, a backlog), summed over all of them; "others lost" is the same backlog for the
     * members never dropped. Recovered is how many
     * welcomes said {@code "recovered":true}; time to recover runs from the reconnect's start to its
     * welcome. A reconnect whose join finds its nick still held (the server has not yet seen the
     * drop) joins again 20 ms later ("nick retries").
     */
    Results reconnectStorm(String wsBase, String server, String room, int members, int dropped, double ratePerSecond,
                           Duration warmup, Duration spread, Duration measure) throws Exception {
        String url = wsBase + "chat/" + room;
        String marker = "\"text\":\"storm " + Long.toString(System.nanoTime(), 36) + " "; // this run's messages only
        String textPrefix = marker.substring("\"text\":\"".length());
        StormMember[] storm = new StormMember[dropped];
        AtomicLong welcomes = new AtomicLong();
        AtomicLong othersDelivered = new AtomicLong();
        CompletableFuture<Void> allJoined = new CompletableFuture<>();
        String publisherNick = "\"nick\":\"storm-publisher\"";
        AtomicLong caughtUp = new AtomicLong();
        CompletableFuture<Void> allCaughtUp = new CompletableFuture<>();
        List<Conn> conns = new ArrayList<>();
        // members 0 … dropped − 1 will be dropped; their first connection records what it gets
        for (int i = 0; i < dropped; i++) {
            storm[i] = new StormMember("s" + i);
        }
        IntFunction<Handler> firstConnection = i -> text -> {
            StormMember m = i < dropped ? storm[i] : null;
            if (m != null && m.dropped) {
                return;
            }
            if (text.startsWith("{\"type\":\"presence\"") && text.contains(publisherNick)) {
                // the publisher joined last: its presence comes after every other join's in this member's queue
                if (caughtUp.incrementAndGet() == members) {
                    allCaughtUp.complete(null);
                }
            } else if (text.startsWith("{\"type\":\"message\"")) {
                long seq = sequence(text, marker);
                if (m == null) {
                    if (seq > 0) {
                        othersDelivered.incrementAndGet();
                    }
                    return;
                }
                m.lastOffset = Math.max(m.lastOffset, offset(text));
                if (seq > 0) {
                    m.got(seq);
                }
            } else if (text.startsWith("{\"type\":\"welcome\"")) {
                if (m != null) {
                    jakarta.json.JsonObject welcome = json(text);
                    m.epoch = welcome.getString("epoch", "");
                    m.lastOffset = welcome.getJsonNumber("offset") == null ? 0 : welcome.getJsonNumber("offset").longValue();
                }
                if (welcomes.incrementAndGet() == members) {
                    allJoined.complete(null);
                }
            }
        };
        // every connection of the run, closed at its end whatever happens (the dropped ones already are)
        List<Conn> all = java.util.Collections.synchronizedList(conns);
        try {
            // the members to be dropped get connections with no close handshake: closing one is a drop
            conns.addAll(open(url, dropped, null, 0, false, firstConnection));
            conns.addAll(open(url, members - dropped, null, 0, true, i -> firstConnection.apply(dropped + i)));
            for (int i = 0; i < dropped; i++) {
                storm[i].conn = conns.get(i);
            }
            for (int i = 0; i < members; i++) {
                conns.get(i).send(join("s" + i, null, 0));
            }
            allJoined.get(60, TimeUnit.SECONDS);

            CompletableFuture<Void> publisherJoined = new CompletableFuture<>();
            Conn publisher = open(url, 1, null, i -> text -> {
                if (text.startsWith("{\"type\":\"welcome\"")) {
                    publisherJoined.complete(null);
                }
            }).get(0);
            all.add(publisher);
            publisher.send(join("storm-publisher", null, 0));
            publisherJoined.get(30, TimeUnit.SECONDS);
            // 1,000 joins are ~500,000 presence messages: the storm starts once they are delivered
            allCaughtUp.get(120, TimeUnit.SECONDS);
            AtomicLong published = new AtomicLong();
            ScheduledExecutorService ticker = fixedRate(ratePerSecond, (n, scheduled) -> {
                publisher.send("{\"type\":\"message\",\"text\":\"" + textPrefix + (n + 1) + "\"}");
                published.set(n + 1);
            });

            Recorder recoverTime = new Recorder(3);
            AtomicLong settled = new AtomicLong(); // welcomed again, or refused for good
            AtomicLong recoveredCount = new AtomicLong();
            AtomicLong nickRetries = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            CompletableFuture<Void> allBack = new CompletableFuture<>();
            Runnable settle = () -> {
                if (settled.incrementAndGet() == dropped) {
                    allBack.complete(null);
                }
            };
            ScheduledExecutorService drops = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "bench-storm"));
            long t0;
            try {
                Thread.sleep(warmup.toMillis());
                t0 = System.nanoTime();
                for (int k = 0; k < dropped; k++) {
                    StormMember m = storm[k];
                    drops.schedule(() -> m.conn.channel.eventLoop().execute(() -> {
                        // on the first connection's event loop: no frame of it is handled after this
                        m.dropped = true;
                        long since = m.lastOffset;
                        m.conn.abort();
                        m.reconnectStarted = System.nanoTime();
                        Conn[] again = new Conn[1];
                        again[0] = connect(url, null, 0, true, text -> {
                            if (text.startsWith("{\"type\":\"message\"")) {
                                long seq = sequence(text, marker);
                                if (seq > 0) {
                                    m.got(seq);
                                }
                            } else if (text.startsWith("{\"type\":\"welcome\"")) {
                                recoverTime.recordValue(Math.max(0, System.nanoTime() - m.reconnectStarted) / 1000);
                                jakarta.json.JsonObject welcome = json(text);
                                m.recovered = welcome.getBoolean("recovered", false);
                                if (m.recovered) {
                                    recoveredCount.incrementAndGet();
                                }
                                for (jakarta.json.JsonValue h : welcome.getJsonArray("history")) {
                                    long seq = sequence(h.toString(), marker);
                                    if (seq > 0) {
                                        m.got(seq);
                                    }
                                }
                                settle.run();
                            } else if (text.startsWith("{\"type\":\"error\"")) {
                                if (text.contains("\"nick-taken\"") && ++m.joinAttempts < 250) {
                                    nickRetries.incrementAndGet();
                                    again[0].channel.eventLoop().schedule(() -> again[0].send(join(m.nick, m.epoch, since)),
                                            20, TimeUnit.MILLISECONDS);
                                } else {
                                    refused.incrementAndGet();
                                    System.err.println("switchboard-bench: reconnect of " + m.nick + " refused: " + text);
                                    settle.run();
                                }
                            }
                        });
                        m.conn = again[0];
                        all.add(again[0]);
                        again[0].open.whenComplete((ok, failed) -> {
                            if (failed != null) {
                                if (refused.incrementAndGet() == 1) {
                                    System.err.println("switchboard-bench: a reconnect failed (the first; the others are"
                                            + " counted): " + failed);
                                }
                                settle.run();
                            } else {
                                m.joinAttempts = 1;
                                ok.send(join(m.nick, m.epoch, since));
                            }
                        });
                    }), k * spread.toNanos() / dropped, TimeUnit.NANOSECONDS);
                }
                try {
                    allBack.get(spread.toSeconds() + 30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    System.err.println("switchboard-bench: " + (dropped - settled.get()) + " reconnects got no welcome in time");
                }
                long end = Math.max(t0 + measure.toNanos(), System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
            } finally {
                ticker.shutdownNow();
                ticker.awaitTermination(5, TimeUnit.SECONDS);
                drops.shutdownNow();
                drops.awaitTermination(5, TimeUnit.SECONDS);
            }
            long sent = published.get();
            long others = members - dropped;
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a storm leaves a backlog
            while (System.nanoTime() < drainDeadline && (othersDelivered.get() < sent * others
                    || java.util.Arrays.stream(storm).anyMatch(m -> m.highest < sent))) {
                Thread.sleep(10); // draining what is in flight, bounded
            }
            RecoveryCheck check = RecoveryCheck.NONE;
            for (StormMember m : storm) {
                check = check.plus(RecoveryCheck.of(sent, m.received()));
            }
            Histogram h = recoverTime.getIntervalHistogram();
            return Results.of("reconnect " + dropped + " of " + members + " @" + Math.round(ratePerSecond) + "/s", server)
                    .put("sent", sent)
                    .put("attempted", dropped)
                    .put("recovered", recoveredCount.get())
                    .put("missed", check.missed())
                    .put("duplicated", check.duplicated())
                    .put("lost", check.lost())
                    .put("recover p50 ms", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0)
                    .put("recover p99 ms", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0)
                    .put("nick retries", nickRetries.get())
                    .put("rejoin failed", refused.get())
                    .put("others lost", sent * others - othersDelivered.get());
        } finally {
            synchronized (all) {
                closeAll(all);
            }
        }
    }

    /**
     * Chat latency across nodes: one sender in a room on {@code senderBase}, {@code perNode} members
     * of the same room on each of {@code receiverBases} (named {@code names}); the sender sends
     * {@code ratePerSecond} messages, each text stamped with when it was due (no coordinated
     * omission), and each row is one node's receivers: p50/p99/p99.9 from due to received, and the
     * messages that never reached them. Bounded: 60 s to join, the run, 10 s to drain.
     */
    List<Results> chatLatency(String senderBase, List<String> receiverBases, List<String> names, int perNode,
                              double ratePerSecond, Duration warmup, Duration measure) throws Exception {
        String room = "latency-" + System.nanoTime();
        String marker = "\"text\":\"lat " + Long.toString(System.nanoTime(), 36) + " ";
        String textPrefix = marker.substring("\"text\":\"".length());
        int nodes = receiverBases.size();
        Recorder[] latency = new Recorder[nodes];
        AtomicLong[] delivered = new AtomicLong[nodes];
        AtomicLong barriers = new AtomicLong();
        AtomicLong welcomes = new AtomicLong();
        CompletableFuture<Void> allJoined = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean recording = new java.util.concurrent.atomic.AtomicBoolean();
        List<Conn> all = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            for (int b = 0; b < nodes; b++) {
                Recorder recorder = latency[b] = new Recorder(3);
                AtomicLong got = delivered[b] = new AtomicLong();
                List<Conn> conns = open(receiverBases.get(b) + "chat/" + room, perNode, null, i -> text -> {
                    if (text.startsWith("{\"type\":\"message\"")) {
                        long due = sequence(text, marker);
                        if (due == 0) {
                            barriers.incrementAndGet();
                        } else if (due > 0) {
                            got.incrementAndGet();
                            if (recording.get()) {
                                recorder.recordValue(Math.max(0, System.nanoTime() - due) / 1000);
                            }
                        }
                    } else if (text.startsWith("{\"type\":\"welcome\"") && welcomes.incrementAndGet() == (long) nodes * perNode) {
                        allJoined.complete(null);
                    }
                });
                all.addAll(conns);
                for (int i = 0; i < perNode; i++) {
                    conns.get(i).send(join("r" + b + "-" + i, null, 0));
                }
            }
            allJoined.get(60, TimeUnit.SECONDS);
            CompletableFuture<Void> senderJoined = new CompletableFuture<>();
            Conn sender = open(senderBase + "chat/" + room, 1, null, i -> text -> {
                if (text.startsWith("{\"type\":\"welcome\"")) {
                    senderJoined.complete(null);
                }
            }).get(0);
            all.add(sender);
            sender.send(join("latency-sender", null, 0));
            senderJoined.get(30, TimeUnit.SECONDS);
            // a first message through the room: once every receiver has it, the joins' presence is out of the way
            sender.send("{\"type\":\"message\",\"text\":\"" + textPrefix + "0\"}");
            long barrierUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (barriers.get() < (long) nodes * perNode) {
                if (System.nanoTime() > barrierUntil) {
                    throw new IllegalStateException("chat latency: " + barriers.get() + " of " + nodes * perNode
                            + " receivers got the first message within 60 s");
                }
                pause();
            }
            AtomicLong sent = new AtomicLong();
            ScheduledExecutorService ticker = fixedRate(ratePerSecond, (n, scheduled) -> {
                sender.send("{\"type\":\"message\",\"text\":\"" + textPrefix + scheduled + "\"}");
                sent.set(n + 1);
            });
            try {
                Thread.sleep(warmup.toMillis()); // bounded: warm-up, then the measured window
                for (Recorder r : latency) {
                    r.reset();
                }
                recording.set(true);
                Thread.sleep(measure.toMillis());
                recording.set(false);
            } finally {
                ticker.shutdownNow();
                ticker.awaitTermination(5, TimeUnit.SECONDS);
            }
            long expected = sent.get() * perNode;
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (java.util.Arrays.stream(delivered).anyMatch(d -> d.get() < expected) && System.nanoTime() < drainUntil) {
                Thread.sleep(10); // draining what is in flight, bounded
            }
            List<Results> rows = new ArrayList<>();
            String scenario = String.format(java.util.Locale.ROOT, "chat 1→%d×%d @%.0f/s", nodes, perNode, ratePerSecond);
            for (int b = 0; b < nodes; b++) {
                Histogram h = latency[b].getIntervalHistogram();
                rows.add(Results.of(scenario, names.get(b))
                        .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                        .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                        .put("p99.9 ms", h.getValueAtPercentile(99.9) / 1000.0)
                        .put("lost", expected - delivered[b].get()));
            }
            return rows;
        } finally {
            synchronized (all) {
                closeAll(all);
            }
        }
    }

    /** What kills a node, for {@link #presenceAfterKill}. */
    interface Kill {
        void run() throws Exception;
    }

    /**
     * Presence after a node dies: {@code watchers} members of a room on {@code watchBase}, then
     * {@code members} members of it on {@code memberBase}; once every watcher has seen every member
     * available, {@code kill} ends the second node ({@code how}: kill -9, or SIGSTOP for a host
     * that vanishes without closing its sockets) and the clock starts. For each member,
     * the time until the last watcher has seen it {@code unavailable}; the row gives min, median and
     * max over the members, and how many were never reported within 60 s.
     */
    Results presenceAfterKill(String watchBase, String memberBase, int members, int watchers, String how, Kill kill)
            throws Exception {
        String room = "presence-" + System.nanoTime();
        int pairs = watchers * members;
        java.util.concurrent.atomic.AtomicIntegerArray availableSeen = new java.util.concurrent.atomic.AtomicIntegerArray(pairs);
        AtomicLongArray unavailableAt = new AtomicLongArray(pairs);
        AtomicLong available = new AtomicLong();
        AtomicLong unavailable = new AtomicLong();
        AtomicLong welcomes = new AtomicLong();
        CompletableFuture<Void> watching = new CompletableFuture<>();
        CompletableFuture<Void> allAvailable = new CompletableFuture<>();
        CompletableFuture<Void> allUnavailable = new CompletableFuture<>();
        List<Conn> all = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Conn> watcherConns = open(watchBase + "chat/" + room, watchers, null, w -> text -> {
                if (text.startsWith("{\"type\":\"welcome\"")) {
                    if (welcomes.incrementAndGet() == watchers) {
                        watching.complete(null);
                    }
                    return;
                }
                if (!text.startsWith("{\"type\":\"presence\"")) {
                    return;
                }
                long at = System.nanoTime();
                jakarta.json.JsonObject presence = json(text);
                String nick = presence.getString("nick", "");
                if (!nick.startsWith("b")) {
                    return;
                }
                int pair = w * members + Integer.parseInt(nick.substring(1));
                if ("unavailable".equals(presence.getString("presence", ""))) {
                    if (unavailableAt.compareAndSet(pair, 0, at) && unavailable.incrementAndGet() == pairs) {
                        allUnavailable.complete(null);
                    }
                } else if (availableSeen.compareAndSet(pair, 0, 1) && available.incrementAndGet() == pairs) {
                    allAvailable.complete(null);
                }
            });
            all.addAll(watcherConns);
            for (int w = 0; w < watchers; w++) {
                watcherConns.get(w).send(join("w" + w, null, 0));
            }
            watching.get(60, TimeUnit.SECONDS);
            List<Conn> memberConns = open(memberBase + "chat/" + room, members, null, i -> text -> { });
            all.addAll(memberConns);
            for (int i = 0; i < members; i++) {
                memberConns.get(i).send(join("b" + i, null, 0));
            }
            allAvailable.get(60, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            kill.run();
            try {
                allUnavailable.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // counted below as members never reported
            }
            List<Double> converged = new ArrayList<>();
            for (int m = 0; m < members; m++) {
                long last = 0;
                for (int w = 0; w < watchers && last >= 0; w++) {
                    long at = unavailableAt.get(w * members + m);
                    last = at == 0 ? -1 : Math.max(last, at - t0);
                }
                if (last >= 0) {
                    converged.add(last / 1e6);
                }
            }
            java.util.Collections.sort(converged);
            Results row = Results.of("presence, " + how + " B (" + members + " on B, " + watchers + " on A)", "two nodes")
                    .put("members", members)
                    .put("min ms", converged.isEmpty() ? 0 : converged.get(0))
                    .put("median ms", converged.isEmpty() ? 0 : converged.get(converged.size() / 2))
                    .put("max ms", converged.isEmpty() ? 0 : converged.get(converged.size() - 1))
                    .put("never", members - converged.size());
            return row;
        } finally {
            synchronized (all) {
                closeAll(all);
            }
        }
    }

    /** Looked up once: {@code Json.create…} looks the provider up (a ServiceLoader scan) on every call. */
    private static final jakarta.json.spi.JsonProvider JSON = jakarta.json.spi.JsonProvider.provider();

    /** A chat join, with {@code since} when {@code epoch} is given. */
    private static String join(String nick, String epoch, long since) {
        jakarta.json.JsonObjectBuilder join = JSON.createObjectBuilder().add("type", "join").add("nick", nick);
        if (epoch != null) {
            join.add("since", JSON.createObjectBuilder().add("epoch", epoch).add("offset", since));
        }
        return join.build().toString();
    }

    private static jakarta.json.JsonObject json(String text) {
        try (jakarta.json.JsonReader reader = JSON.createReader(new java.io.StringReader(text))) {
            return reader.readObject();
        }
    }

    /** The publisher's sequence in a room message of this run (its text after {@code marker}), or -1. */
    static long sequence(String message, String marker) {
        int at = message.indexOf(marker);
        if (at < 0) {
            return -1;
        }
        int from = at + marker.length();
        int to = from;
        while (to < message.length() && Character.isDigit(message.charAt(to))) {
            to++;
        }
        return to == from ? -1 : Long.parseLong(message, from, to, 10);
    }

    /** A room message's {@code "offset"}, or 0 when it has none. */
    static long offset(String message) {
        int at = message.lastIndexOf("\"offset\":");
        if (at < 0) {
            return 0;
        }
        int from = at + "\"offset\":".length();
        int to = from;
        while (to < message.length() && Character.isDigit(message.charAt(to))) {
            to++;
        }
        return to == from ? 0 : Long.parseLong(message, from, to, 10);
    }

    /**
     * One member of an image room sends 1 MiB images, {@code members} − 1 others receive each one,
     * the sender staying at most two images ahead of the slowest (the server's queue holds four).
     */
    Results imageFanOut(String wsBase, String server, int members, int imageBytes, Duration measure) throws Exception {
        String room = "bench-" + System.nanoTime();
        int receivers = members - 1;
        AtomicLongArray received = new AtomicLongArray(members);
        AtomicLong delivered = new AtomicLong();
        AtomicLong welcomes = new AtomicLong();
        Recorder latency = new Recorder(3);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<Conn> conns = open(wsBase + "images/" + room, members, null, i -> new Handler() {
            @Override
            public void text(String text) {
                if (text.startsWith("{\"type\":\"welcome\"") && welcomes.incrementAndGet() == members) {
                    ready.complete(null);
                }
            }

            @Override
            public void binary(ByteBuffer data) {
                latency.recordValue(Math.max(0, System.nanoTime() - data.getLong(data.position() + 8)) / 1000);
                received.incrementAndGet(i);
                delivered.incrementAndGet();
            }
        });
        ready.get(60, TimeUnit.SECONDS);
        byte[] image = new byte[imageBytes];
        image[0] = (byte) 0xFF; // JPEG start of image, then an APP0 marker: what the server sniffs for
        image[1] = (byte) 0xD8;
        image[2] = (byte) 0xFF;
        image[3] = (byte) 0xE0;
        ByteBuffer buffer = ByteBuffer.wrap(image);
        Conn sender = conns.get(0);
        long sent = 0;
        long end = System.nanoTime() + measure.toNanos();
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            long slowest = Long.MAX_VALUE;
            for (int i = 1; i < members; i++) {
                slowest = Math.min(slowest, received.get(i));
            }
            if (sent - slowest >= 2) {
                pause();
                continue;
            }
            buffer.putLong(8, System.nanoTime());
            sender.send(ByteBuffer.wrap(image.clone()));
            sent++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long deliveredInWindow = delivered.get();
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.get() < sent * receivers && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
        }
        Histogram h = latency.getIntervalHistogram();
        closeAll(conns);
        return Results.of("images 1 MiB 1→" + receivers, server)
                .put("deliveries/s", deliveredInWindow / seconds)
                .put("MiB/s", deliveredInWindow * (double) imageBytes / (1 << 20) / seconds)
                .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                .put("lost", sent * receivers - delivered.get());
    }

    /**
     * Opens {@code target} idle WebSockets to a server in its own process — plain sockets doing the
     * handshake on its {@code echo}, spread over 127.0.0.1–127.0.0.4 as sources so one address's
     * ephemeral ports are no limit — and reports how many stood, the server's live heap per
     * connection, and its RSS growth per connection (with a heap resident from the start, that is
     * the memory outside the heap). The live heap is the JDK's class histogram before and after
     * (the same measure for every kind of server); the classes that grew most go to {@code notes},
     * per connection.
     */
    Results idleConnections(MeasuredServer server, String name, int target, List<String> notes) throws Exception {
        HeapHistogram before = histogram(server);
        long heapBefore = before != null ? before.totalBytes() : ((ServerProcess) server).liveHeapBytes();
        long rssBefore = server.rssBytes();
        List<Socket> sockets = new ArrayList<>();
        int achieved = 0;
        try {
            String path = URI.create(server.wsBase()).getPath() + "echo";
            byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < target; i++) {
                Socket socket = new Socket();
                try {
                    socket.bind(new InetSocketAddress("127.0.0." + (1 + i % 4), 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(request);
                    String status = readStatus(socket.getInputStream());
                    if (!status.contains(" 101 ")) {
                        socket.close();
                        System.err.println("switchboard-bench: idle connection " + (i + 1) + " to " + name + " refused: "
                                + status.lines().findFirst().orElse("(no answer)"));
                        break;
                    }
                } catch (IOException e) {
                    socket.close();
                    System.err.println("switchboard-bench: idle connection " + (i + 1) + " failed: " + e);
                    break;
                }
                sockets.add(socket);
                achieved++;
            }
            HeapHistogram after = before == null ? null : histogram(server);
            long heap = (after != null ? after.totalBytes() : ((ServerProcess) server).liveHeapBytes()) - heapBefore;
            long rss = server.rssBytes() - rssBefore;
            if (after != null && achieved > 0) {
                String top = HeapHistogram.perConnection(name, achieved, heap, after.growthSince(before, 12));
                System.out.print(top);
                notes.add(top);
            }
            return Results.of("idle connections", name).put("achieved", achieved)
                    .put("heap KiB/conn", achieved == 0 ? 0 : heap / 1024.0 / achieved)
                    .put("native KiB/conn", achieved == 0 ? 0 : rss / 1024.0 / achieved);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** The server's class histogram, or null where jcmd cannot attach (then a {@link BenchServer}'s own count is used). */
    private static HeapHistogram histogram(MeasuredServer server) throws Exception {
        try {
            return HeapHistogram.of(server.pid());
        } catch (IOException e) {
            if (!(server instanceof ServerProcess)) {
                throw e;
            }
            System.err.println("switchboard-bench: no heap histogram (" + e.getMessage() + "): the server's own heap count instead");
            return null;
        }
    }

    private static String readStatus(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString();
    }

    @Override
    public void close() throws Exception {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
}
