package dev.switchboard.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * The load generator: many WebSocket connections on the JDK's non-blocking client, a few threads
 * for all of them, every run bounded in time. Each method is one scenario.
 */
final class LoadClient implements AutoCloseable {

    private final ExecutorService executor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
    private final HttpClient http = HttpClient.newBuilder().executor(executor).build();

    /** Connections the server closed during a scenario (e.g. 1013 for a subscriber that fell behind). */
    private final AtomicLong serverCloses = new AtomicLong();

    /** A connection whose sends are chained: the JDK client allows one outstanding send at a time. */
    private final class Conn implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private final java.util.function.Consumer<String> onText;
        private CompletableFuture<WebSocket> chain;
        WebSocket socket;

        Conn(java.util.function.Consumer<String> onText) {
            this.onText = onText;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onText.accept(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            serverCloses.incrementAndGet();
            return null;
        }

        synchronized void send(String text) {
            chain = chain.thenCompose(ws -> ws.sendText(text, true));
        }
    }

    private List<Conn> open(String url, int count, IntFunction<java.util.function.Consumer<String>> handlers) {
        List<CompletableFuture<Conn>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Conn conn = new Conn(handlers.apply(i));
            opening.add(http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(url), conn)
                    .thenApply(ws -> {
                        conn.socket = ws;
                        conn.chain = CompletableFuture.completedFuture(ws);
                        return conn;
                    }));
        }
        return opening.stream().map(CompletableFuture::join).toList();
    }

    private static void closeAll(List<Conn> conns) {
        for (Conn conn : conns) {
            conn.socket.abort();
        }
    }

    /** Closed loop: {@code connections} × {@code inFlight} messages always outstanding; round trips per second. */
    double echoThroughput(String wsBase, int connections, int inFlight, int payloadBytes, Duration warmup, Duration measure)
            throws InterruptedException {
        String payload = "x".repeat(payloadBytes);
        AtomicLong replies = new AtomicLong();
        List<Conn> conns = new ArrayList<>();
        List<Conn> opened = open(wsBase + "echo", connections, i -> text -> {
            replies.incrementAndGet();
        });
        conns.addAll(opened);
        for (Conn conn : conns) {
            for (int i = 0; i < inFlight; i++) {
                conn.send(payload);
            }
        }
        // every reply is answered with a new message, so connections × inFlight stay outstanding
        Thread pump = new Thread(() -> {
            long seen = 0;
            while (!Thread.currentThread().isInterrupted()) {
                long now = replies.get();
                long fresh = now - seen;
                for (long i = 0; i < fresh; i++) {
                    conns.get((int) ((seen + i) % conns.size())).send(payload);
                }
                seen = now;
                Thread.onSpinWait();
            }
        }, "bench-echo-pump");
        pump.start();
        Thread.sleep(warmup.toMillis()); // the run is bounded in time: warm-up, then the measured window
        long start = replies.get();
        long t0 = System.nanoTime();
        Thread.sleep(measure.toMillis());
        long done = replies.get() - start;
        double seconds = (System.nanoTime() - t0) / 1e9;
        pump.interrupt();
        pump.join();
        closeAll(conns);
        return done / seconds;
    }

    /** Open loop at a fixed total rate; latency from each message's scheduled send time (no coordinated omission). */
    Histogram echoLatency(String wsBase, int connections, int ratePerSecond, Duration warmup, Duration measure)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        boolean[] recording = {false};
        List<Conn> conns = open(wsBase + "echo", connections, i -> text -> {
            long scheduled = Long.parseLong(text.substring(0, text.indexOf(':')));
            if (recording[0]) {
                recorder.recordValue(Math.max(0, System.nanoTime() - scheduled) / 1000);
            }
        });
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long intervalNanos = 1_000_000_000L / ratePerSecond;
        long origin = System.nanoTime();
        AtomicLong sent = new AtomicLong();
        String pad = "x".repeat(48);
        ticker.scheduleAtFixedRate(() -> {
            long due = (System.nanoTime() - origin) / intervalNanos;
            for (long n = sent.get(); n < due; n++) {
                long scheduled = origin + n * intervalNanos;
                conns.get((int) (n % conns.size())).send(scheduled + ":" + pad);
            }
            sent.set(Math.max(sent.get(), due));
        }, 0, 1, TimeUnit.MILLISECONDS);
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

    /** One STOMP publisher, {@code subscribers} on one topic, 256-byte bodies, as fast as delivery keeps up. */
    Results stompFanOut(String wsBase, String server, int subscribers, Duration measure) throws Exception {
        AtomicLongArray lastSeq = new AtomicLongArray(subscribers);
        AtomicLong delivered = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        Recorder latency = new Recorder(3);
        CompletableFuture<Void> allSubscribed = new CompletableFuture<>();
        AtomicLong receipts = new AtomicLong();
        String topic = "/topic/bench." + System.nanoTime();
        List<Conn> subs = open(wsBase + "stomp", subscribers, i -> text -> {
            if (text.startsWith("RECEIPT")) {
                if (receipts.incrementAndGet() == subscribers) {
                    allSubscribed.complete(null);
                }
                return;
            }
            if (!text.startsWith("MESSAGE")) {
                return;
            }
            int body = text.indexOf("\n\n") + 2;
            int colon = text.indexOf(':', body);
            long seq = Long.parseLong(text.substring(body, colon));
            long sentAt = Long.parseLong(text.substring(colon + 1, text.indexOf(':', colon + 1)));
            if (seq != lastSeq.get(i) + 1) {
                outOfOrder.incrementAndGet();
            }
            lastSeq.set(i, seq);
            delivered.incrementAndGet();
            latency.recordValue(Math.max(0, System.nanoTime() - sentAt) / 1000);
        });
        for (Conn sub : subs) {
            sub.send("CONNECT\naccept-version:1.2\nhost:bench\n\n\0SUBSCRIBE\nid:0\ndestination:" + topic + "\nreceipt:s\n\n\0");
        }
        allSubscribed.get(30, TimeUnit.SECONDS);
        long closesBefore = serverCloses.get();
        Conn publisher = open(wsBase + "stomp", 1, i -> text -> { }).get(0);
        publisher.send("CONNECT\naccept-version:1.2\nhost:bench\n\n\0");
        String pad = "x".repeat(200);
        long window = 200; // messages the slowest subscriber may be behind before the publisher waits
        long seq = 0;
        long end = System.nanoTime() + measure.toNanos();
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            long slowest = Long.MAX_VALUE;
            for (int i = 0; i < subscribers; i++) {
                slowest = Math.min(slowest, lastSeq.get(i));
            }
            if (seq - slowest >= window) {
                Thread.onSpinWait();
                continue;
            }
            seq++;
            publisher.send("SEND\ndestination:" + topic + "\n\n" + seq + ":" + System.nanoTime() + ":" + pad + "\0");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long expected = seq * subscribers;
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.get() < expected && System.nanoTime() < drainDeadline) {
            Thread.sleep(10); // draining what is in flight, bounded
        }
        Histogram h = latency.getIntervalHistogram();
        closeAll(subs);
        publisher.socket.abort();
        return Results.of("stomp fan-out 1→" + subscribers, server)
                .put("deliveries/s", delivered.get() / seconds)
                .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                .put("lost", expected - delivered.get())
                .put("out-of-order", outOfOrder.get())
                .put("closed", serverCloses.get() - closesBefore);
    }

    /** One chat sender, {@code members} in the room: delivered messages per second. */
    Results chatFanOut(String wsBase, String server, int members, Duration measure) throws Exception {
        String room = "bench-" + System.nanoTime();
        AtomicLong delivered = new AtomicLong();
        AtomicLong welcomes = new AtomicLong();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<Conn> conns = open(wsBase + "chat/" + room, members, i -> text -> {
            if (text.startsWith("{\"type\":\"message\"")) {
                delivered.incrementAndGet();
            } else if (text.startsWith("{\"type\":\"welcome\"") && welcomes.incrementAndGet() == members) {
                ready.complete(null);
            }
        });
        for (int i = 0; i < members; i++) {
            conns.get(i).send("{\"type\":\"join\",\"nick\":\"m" + i + "\"}");
        }
        ready.get(30, TimeUnit.SECONDS);
        Conn sender = conns.get(0);
        long sent = 0;
        long end = System.nanoTime() + measure.toNanos();
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            if (sent * members - delivered.get() > 20_000) {
                Thread.onSpinWait();
                continue;
            }
            sender.send("{\"type\":\"message\",\"text\":\"bench " + sent + "\"}");
            sent++;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        closeAll(conns);
        return Results.of("chat fan-out 1→" + members, server).put("deliveries/s", delivered.get() / seconds);
    }

    /**
     * Opens {@code target} idle WebSockets (plain sockets doing the handshake, spread over
     * 127.0.0.1–127.0.0.4 as sources) and reports how many stood, and heap and RSS per connection
     * measured in this JVM — which holds the server (embedded) and these sockets both.
     */
    Results idleConnections(String host, int port, String server, int target) throws Exception {
        long heapBefore = usedHeap();
        long rssBefore = rssBytes();
        List<java.net.Socket> sockets = new ArrayList<>();
        int achieved = 0;
        try {
            byte[] request = ("GET /echo HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < target; i++) {
                java.net.Socket socket = new java.net.Socket();
                try {
                    socket.bind(new java.net.InetSocketAddress("127.0.0." + (1 + i % 4), 0));
                    socket.connect(new java.net.InetSocketAddress(host, port), 5000);
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(request);
                    if (!readStatus(socket.getInputStream()).contains(" 101 ")) {
                        socket.close();
                        break;
                    }
                } catch (java.io.IOException e) {
                    socket.close();
                    break;
                }
                sockets.add(socket);
                achieved++;
            }
            long heap = usedHeap() - heapBefore;
            long rss = rssBytes() - rssBefore;
            return Results.of("idle connections", server).put("achieved", achieved)
                    .put("heap KiB/conn", achieved == 0 ? 0 : heap / 1024.0 / achieved)
                    .put("rss KiB/conn", achieved == 0 ? 0 : rss / 1024.0 / achieved);
        } finally {
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static String readStatus(java.io.InputStream in) throws java.io.IOException {
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

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    /** This process's resident set, from /proc (0 where there is none). */
    private static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
