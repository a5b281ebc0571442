package dev.switchboard.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Persistent STOMP on queues, the same client code against every broker (STOMP 1.2 over
 * WebSocket, subprotocol {@code v12.stomp}): producers that send {@code persistent:true} with a
 * {@code receipt} and wait for it (a window of outstanding receipts each), consumers that ACK each
 * message with {@code ack:client-individual} and a receipt on every ACK, and a counting drain that
 * checks what a queue holds. Each producer works on its own event loop, with no hand-off per frame.
 */
final class PersistentLoad {

    static final int BODY_BYTES = 200;
    private static final String CONNECT = "CONNECT\naccept-version:1.2\nhost:bench\n\n\0";

    private final LoadClient client;

    PersistentLoad(LoadClient client) {
        this.client = client;
    }

    /**
     * What a run of producers did: receipts counted in the measured window and its length, SEND →
     * RECEIPT latency over that window, every receipt of the run by queue (warm-up included: what
     * the queues now hold), and ERROR frames.
     */
    record Sent(long receiptsInWindow, double seconds, Histogram latency, List<String> queues, long[] receiptsByQueue,
                long errors) {
        double perSecond() {
            return seconds <= 0 ? 0 : receiptsInWindow / seconds;
        }

        long total() {
            long total = 0;
            for (long n : receiptsByQueue) {
                total += n;
            }
            return total;
        }
    }

    /** One producer's state, confined to its connection's event loop once it is connected. */
    private static final class Producer {
        final String queue;
        final Map<Long, Long> sentAt = new HashMap<>();
        volatile LoadClient.Conn conn;
        long next;
        volatile long receipts;

        Producer(String queue) {
            this.queue = queue;
        }
    }

    /**
     * {@code producers} connections, each to its own queue {@code prefix-N}, each keeping
     * {@code window} persistent SENDs with receipts outstanding (1: send, wait for the RECEIPT,
     * send the next). With {@code limit} &gt; 0 each producer sends that many and the run ends when
     * all are receipted (a fill; {@code measure} bounds it); otherwise it runs {@code warmup} then
     * {@code measure} and stops sending, and the outstanding receipts are awaited.
     */
    Sent send(String wsBase, String prefix, int producers, int window, long limit, Duration warmup, Duration measure)
            throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong inWindow = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicInteger phase = new AtomicInteger(); // 0 warm-up, 1 measuring, 2 stopping
        CountDownLatch connected = new CountDownLatch(producers);
        CountDownLatch finished = new CountDownLatch(producers);
        String pad = "x".repeat(BODY_BYTES);
        Producer[] all = new Producer[producers];
        List<String> queues = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            all[i] = new Producer(prefix + "-" + i);
            queues.add(all[i].queue);
        }
        List<LoadClient.Conn> conns = client.open(wsBase + "stomp", producers, "v12.stomp", i -> text -> {
            Producer p = all[i];
            if (text.startsWith("CONNECTED")) {
                for (int k = 0; k < window && (limit <= 0 || p.next < limit); k++) {
                    sendNext(p, pad);
                }
                connected.countDown();
            } else if (text.startsWith("RECEIPT")) {
                Long at = p.sentAt.remove(Long.parseLong(header(text, "receipt-id")));
                p.receipts++;
                int now = phase.get();
                if (now == 1 && at != null) {
                    latency.recordValue(Math.max(0, System.nanoTime() - at) / 1000);
                    inWindow.incrementAndGet();
                }
                boolean more = now < 2 && (limit <= 0 || p.next < limit);
                if (more) {
                    sendNext(p, pad);
                } else if (p.sentAt.isEmpty()) {
                    finished.countDown();
                }
            } else if (text.startsWith("ERROR")) {
                if (errors.incrementAndGet() == 1) {
                    System.err.println("switchboard-bench: persistent send got " + text.replace('\0', ' ').trim());
                }
                connected.countDown();
                finished.countDown();
            }
        });
        try {
            long t0 = System.nanoTime();
            if (limit > 0) {
                phase.set(1); // a fill is measured from its first SEND
            }
            for (int i = 0; i < producers; i++) {
                all[i].conn = conns.get(i);
                conns.get(i).send(CONNECT);
            }
            if (!connected.await(30, TimeUnit.SECONDS)) {
                throw new TimeoutException("producers not connected in 30 s");
            }
            double seconds;
            if (limit > 0) {
                if (!finished.await(measure.toMillis(), TimeUnit.MILLISECONDS)) {
                    System.err.println("switchboard-bench: a fill did not finish in " + measure.toSeconds() + " s");
                }
                seconds = (System.nanoTime() - t0) / 1e9;
                phase.set(2);
            } else {
                Thread.sleep(warmup.toMillis());
                latency.reset();
                phase.set(1);
                t0 = System.nanoTime();
                Thread.sleep(measure.toMillis());
                phase.set(2);
                seconds = (System.nanoTime() - t0) / 1e9;
                if (!finished.await(30, TimeUnit.SECONDS)) {
                    System.err.println("switchboard-bench: outstanding receipts not received in 30 s");
                }
            }
            long[] byQueue = new long[producers];
            for (int i = 0; i < producers; i++) {
                byQueue[i] = all[i].receipts;
            }
            return new Sent(inWindow.get(), seconds, latency.getIntervalHistogram(), queues, byQueue, errors.get());
        } finally {
            conns.forEach(LoadClient.Conn::abort);
        }
    }

    private static void sendNext(Producer p, String pad) {
        long seq = ++p.next;
        p.sentAt.put(seq, System.nanoTime());
        p.conn.send(sendFrame(p.queue, seq, pad));
    }

    /** A persistent SEND whose receipt is its sequence number and whose body starts with it. */
    static String sendFrame(String queue, long seq, String pad) {
        String body = seq + ":" + pad;
        return "SEND\ndestination:/queue/" + queue + "\npersistent:true\nreceipt:" + seq
                + "\ncontent-type:text/plain\n\n" + body.substring(0, Math.min(body.length(), BODY_BYTES)) + "\0";
    }

    /** Unacknowledged messages a drain's subscription takes at a time (Artemis ignores it: its own window). */
    static final int DRAIN_PREFETCH = 2000;

    /** What a drain found: messages received, sequences never received, copies of one received. */
    record Drained(long received, long missing, long duplicated, double firstMessageMs, double allMs) {
    }

    /**
     * Subscribes once to each queue ({@code ack:client-individual}, every message ACKed) and counts
     * what arrives until every queue gave its {@code expected[i]} distinct sequences
     * {@code 1..expected}, or nothing came for {@code quiet} (or {@code max} passed). A connection
     * the server closes (a broker without flow control closes a reader that falls behind with
     * 1013) is replaced, up to 20 times: what it had not ACKed is redelivered, so only what the
     * broker no longer has counts as missing. Times count from {@code t0}.
     */
    Drained drain(String wsBase, List<String> queues, long[] expected, long t0, Duration quiet, Duration max)
            throws Exception {
        BitSet[] seen = new BitSet[queues.size()];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = new BitSet();
        }
        AtomicLong received = new AtomicLong();
        AtomicLong duplicated = new AtomicLong();
        AtomicLong distinct = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong(System.nanoTime());
        long want = 0;
        for (long n : expected) {
            want += n;
        }
        long wanted = want;
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (wanted == 0) {
            all.complete(null);
        }
        long deadline = System.nanoTime() + max.toNanos();
        int reconnects = 0;
        long closed1013 = client.closes(1013);
        while (!all.isDone() && System.nanoTime() < deadline && System.nanoTime() - last.get() < quiet.toNanos()) {
            LoadClient.Conn[] self = new LoadClient.Conn[1];
            LoadClient.Conn conn = client.open(wsBase + "stomp", 1, "v12.stomp", i -> text -> {
                if (!text.startsWith("MESSAGE")) {
                    if (text.startsWith("ERROR")) {
                        System.err.println("switchboard-bench: drain got " + text.replace('\0', ' ').trim());
                    }
                    return;
                }
                long now = System.nanoTime();
                first.compareAndSet(0, now);
                last.set(now);
                received.incrementAndGet();
                self[0].send("ACK\nid:" + header(text, "ack") + "\n\n\0");
                int q = Integer.parseInt(header(text, "subscription"));
                long seq = bodySequence(text);
                if (seq >= 1 && seq <= expected[q]) {
                    if (seen[q].get((int) seq)) {
                        duplicated.incrementAndGet();
                    } else {
                        seen[q].set((int) seq);
                        if (distinct.incrementAndGet() == wanted) {
                            all.complete(null);
                        }
                    }
                }
            }).get(0);
            self[0] = conn;
            try {
                conn.send(CONNECT);
                for (int i = 0; i < queues.size(); i++) {
                    // prefetch-count (the broker's flow control): a drain of hundreds of thousands of
                    // messages must not have them all pushed at once past send-queue-bytes (1013)
                    conn.send("SUBSCRIBE\nid:" + i + "\ndestination:/queue/" + queues.get(i)
                            + "\nack:client-individual\nprefetch-count:" + DRAIN_PREFETCH + "\n\n\0");
                }
                last.set(Math.max(last.get(), System.nanoTime()));
                while (!all.isDone() && !conn.closed().isDone() && System.nanoTime() < deadline
                        && System.nanoTime() - last.get() < quiet.toNanos()) {
                    try {
                        all.get(100, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException notYet) {
                        // keep waiting, bounded by quiet and max
                    }
                }
            } finally {
                conn.abort();
            }
            if (!all.isDone() && conn.closed().isDone() && ++reconnects > 20) {
                break;
            }
        }
        if (reconnects > 0) {
            System.err.println("switchboard-bench: a drain from " + wsBase + " was closed by the server " + reconnects
                    + " times (" + (client.closes(1013) - closed1013) + " with a 1013 frame the client read; close codes"
                    + " so far " + client.closeCodesSeen() + ") and reconnected");
        }
        long end = System.nanoTime();
        return new Drained(received.get(), wanted - distinct.get(), duplicated.get(),
                first.get() == 0 ? Double.NaN : (first.get() - t0) / 1e6,
                all.isDone() ? (last.get() - t0) / 1e6 : (end - t0) / 1e6);
    }

    /**
     * {@code consumers} connections subscribed to one queue holding {@code messages} persistent
     * messages, {@code ack:client-individual}, each message ACKed as it arrives with a receipt on
     * every ACK (not waiting for the previous receipt: the broker's flow control and prefetch are
     * its defaults). Ends when every message's ACK is receipted, or at {@code max}.
     */
    Results consumeAndAck(String wsBase, String scenario, String server, String queue, long messages, int consumers,
                          Duration max) throws Exception {
        Recorder latency = new Recorder(3);
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        BitSet seen = new BitSet();
        AtomicLong duplicated = new AtomicLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<Map<Long, Long>> sentAt = new ArrayList<>();
        long[] nextReceipt = new long[consumers];
        for (int i = 0; i < consumers; i++) {
            sentAt.add(new HashMap<>());
        }
        String subscribe = "SUBSCRIBE\nid:0\ndestination:/queue/" + queue + "\nack:client-individual\n\n\0";
        List<LoadClient.Conn> conns = new ArrayList<>();
        conns.addAll(client.open(wsBase + "stomp", consumers, "v12.stomp", i -> text -> {
            if (text.startsWith("CONNECTED")) {
                conns.get(i).send(subscribe);
            } else if (text.startsWith("MESSAGE")) {
                long seq = bodySequence(text);
                synchronized (seen) {
                    if (seq > 0 && seen.get((int) seq)) {
                        duplicated.incrementAndGet();
                    } else if (seq > 0) {
                        seen.set((int) seq);
                    }
                }
                long receipt = ++nextReceipt[i];
                sentAt.get(i).put(receipt, System.nanoTime());
                conns.get(i).send("ACK\nid:" + header(text, "ack") + "\nreceipt:" + receipt + "\n\n\0");
            } else if (text.startsWith("RECEIPT")) {
                Long at = sentAt.get(i).remove(Long.parseLong(header(text, "receipt-id")));
                if (at != null) {
                    latency.recordValue(Math.max(0, System.nanoTime() - at) / 1000);
                }
                if (acked.incrementAndGet() == messages) {
                    done.complete(null);
                }
            } else if (text.startsWith("ERROR")) {
                if (errors.incrementAndGet() == 1) {
                    System.err.println("switchboard-bench: consume-and-ack got " + text.replace('\0', ' ').trim());
                }
            }
        }));
        try {
            long t0 = System.nanoTime();
            for (LoadClient.Conn conn : conns) {
                conn.send(CONNECT);
            }
            try {
                done.get(max.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                System.err.println("switchboard-bench: " + scenario + " on " + server + ": " + acked.get() + " of "
                        + messages + " ACKs receipted in " + max.toSeconds() + " s");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Histogram h = latency.getIntervalHistogram();
            long distinct;
            synchronized (seen) {
                distinct = seen.cardinality();
            }
            return Results.of(scenario, server)
                    .put("acks/s", acked.get() / seconds)
                    .put("p50 ms", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0)
                    .put("p99 ms", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0)
                    .put("lost", messages - distinct)
                    .put("duplicated", duplicated.get())
                    .put("errors", errors.get());
        } finally {
            conns.forEach(LoadClient.Conn::abort);
        }
    }

    /** The value of header {@code name} in a frame's header block, or null. */
    static String header(String frame, String name) {
        int end = frame.indexOf("\n\n");
        if (end < 0) {
            end = frame.length();
        }
        String key = "\n" + name + ":";
        int at = frame.indexOf(key);
        if (at < 0 || at >= end) {
            return null;
        }
        int from = at + key.length();
        int to = frame.indexOf('\n', from);
        return frame.substring(from, to < 0 || to > end ? end : to);
    }

    /** The sequence number a body starts with ({@code 123:xxx}), or -1. */
    static long bodySequence(String frame) {
        int body = frame.indexOf("\n\n");
        if (body < 0) {
            return -1;
        }
        int from = body + 2;
        int to = from;
        while (to < frame.length() && Character.isDigit(frame.charAt(to))) {
            to++;
        }
        return to == from ? -1 : Long.parseLong(frame, from, to, 10);
    }
}
