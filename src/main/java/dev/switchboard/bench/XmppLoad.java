package dev.switchboard.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The XMPP scenarios (issue 17): MUC fan-out, a room shared by XMPP occupants and JSON chat
 * members, and 1:1 {@code chat} round trips — each against Switchboard's {@code xmpp} endpoint and,
 * side by side, against Debian's Prosody ({@link ProsodyPeer}), on the same lean client
 * ({@link XmppClient} on {@link LoadClient}'s connections). Every row also gives the CPU the client
 * and the server process used during the measured window, as a percentage of one core, so a row
 * where the client, not the server, was the limit shows it.
 */
final class XmppLoad {

    /**
     * Deliveries the fan-out sender may have outstanding (messages not yet received by every member
     * × members), at least 4 messages: enough to keep the server's pipeline full, few enough that
     * latency is the server's and not a queue of our own making.
     */
    private static final int WINDOW_DELIVERIES = 2000;

    /** Slots counting each outstanding message's receipts (more than the window, so a slot is free again when reused). */
    private static final int RING = 64;

    /** A member's receipt of a room message's text. */
    private interface Delivery {
        void accept(int member, String text);
    }

    /** One server to run against: its XMPP WebSocket URL, its base for {@code chat/ROOM} (null: none), its domain, its process (-1: not ours). */
    record Target(String name, String xmppUrl, String chatBase, String domain, long pid) {
    }

    private final LoadClient client;
    private final Duration warmup;
    private final Duration measure;

    XmppLoad(LoadClient client, Duration warmup, Duration measure) {
        this.client = client;
        this.warmup = warmup;
        this.measure = measure;
    }

    /**
     * The XMPP scenarios against the Switchboard at {@code switchboardWsBase} (process {@code pid})
     * and, when Debian's Prosody is installed, against a {@link ProsodyPeer} started for the run.
     */
    void withProsody(String switchboardWsBase, long pid, List<Results> results) throws Exception {
        Target switchboard = new Target("switchboard", switchboardWsBase + "xmpp", switchboardWsBase, "localhost", pid);
        if (!ProsodyPeer.installed()) {
            System.err.println("switchboard-bench: no Prosody (apt-get install prosody): XMPP runs without a peer");
            sideBySide(switchboard, null, results);
            return;
        }
        try (ProsodyPeer prosody = ProsodyPeer.start()) {
            System.err.println("switchboard-bench: Prosody " + prosody.version() + " at " + prosody.xmppUrl());
            sideBySide(switchboard, new Target("prosody", prosody.xmppUrl(), null, "localhost", prosody.pid()), results);
        }
    }

    /**
     * Every XMPP scenario against Switchboard and Prosody (when given) in one run, each followed by
     * the ratio; the mixed room only against Switchboard (Prosody has no JSON side). Both servers
     * get the same short warm-up first.
     */
    void sideBySide(Target switchboard, Target prosody, List<Results> results) throws Exception {
        List<Target> all = prosody == null ? List.of(switchboard) : List.of(switchboard, prosody);
        for (Target each : all) {
            mucFanOut(each, 100, 0, warmup); // JIT, buffers, the rooms' code paths
            roundTrips(each, 100, Duration.ZERO, warmup);
        }
        for (int occupants : new int[] {100, 1000}) {
            Results s = mucFanOut(switchboard, occupants, 0, measure);
            results.add(s);
            if (prosody != null) {
                Results p = mucFanOut(prosody, occupants, 0, measure);
                results.add(p);
                results.add(s.ratio(p, "÷ prosody"));
            }
        }
        for (int members : new int[] {100, 1000}) {
            results.add(mucFanOut(switchboard, members / 2, members / 2, measure));
        }
        Results s = roundTrips(switchboard, 100, warmup, measure);
        results.add(s);
        if (prosody != null) {
            Results p = roundTrips(prosody, 100, warmup, measure);
            results.add(p);
            results.add(s.ratio(p, "÷ prosody"));
        }
    }

    /** Every XMPP scenario against one deployment (no peer, no process to watch). */
    void against(Target target, List<Results> results) throws Exception {
        for (int occupants : new int[] {100, 1000}) {
            results.add(mucFanOut(target, occupants, 0, measure));
        }
        if (target.chatBase() != null) {
            for (int members : new int[] {100, 1000}) {
                results.add(mucFanOut(target, members / 2, members / 2, measure));
            }
        }
        results.add(roundTrips(target, 100, warmup, measure));
    }

    /**
     * One sender (XMPP occupant 0) and {@code xmppOccupants} XMPP occupants plus {@code jsonMembers}
     * JSON chat members in one fresh room; the sender sends {@code groupchat} messages as fast as
     * the room delivers them: the receipt that completes message k (its last member's) sends message
     * k + W (W = {@link #WINDOW_DELIVERIES} ÷ members, at least 4), so the client never polls.
     * Deliveries/s counts every member's receipt (the sender's own echo included) inside the window; latency runs from the
     * send to each receipt; lost is what had not arrived 10 s after the window.
     */
    Results mucFanOut(Target target, int xmppOccupants, int jsonMembers, Duration measure) throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        String room = "xb" + run;
        String roomJid = room + "@conference." + target.domain();
        int members = xmppOccupants + jsonMembers;
        LongAdder delivered = new LongAdder();
        AtomicIntegerArray receipts = new AtomicIntegerArray(RING);
        AtomicLong sent = new AtomicLong(); // messages are numbered from 1, as lastSeq counts from 0
        AtomicBoolean sending = new AtomicBoolean();
        XmppClient[] senderOf = new XmppClient[1];
        // one thread numbers and sends, so the messages leave in the order of their numbers
        ExecutorService sendThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-xmpp-sender");
            t.setDaemon(true);
            return t;
        });
        Runnable sendNext = () -> sendThread.execute(() -> {
            if (sending.get()) {
                senderOf[0].send(XmppWire.groupchat(roomJid, sent.incrementAndGet() + ":" + System.nanoTime()));
            }
        });
        AtomicLongArray lastSeq = new AtomicLongArray(members);
        AtomicLong outOfOrder = new AtomicLong();
        AtomicBoolean recording = new AtomicBoolean();
        Recorder latency = new Recorder(3);
        AtomicLong joined = new AtomicLong();
        CompletableFuture<Void> allJoined = new CompletableFuture<>();
        Delivery body = (member, text) -> {
            delivered.increment();
            int colon = text.indexOf(':');
            if (colon > 0) { // "SEQ:NANOS"; the barrier has no colon
                long seq = Long.parseLong(text, 0, colon, 10);
                int slot = (int) (seq % RING);
                if (receipts.incrementAndGet(slot) == members) {
                    receipts.set(slot, 0);
                    sendNext.run();
                }
                if (seq != lastSeq.get(member) + 1) {
                    outOfOrder.incrementAndGet();
                }
                lastSeq.set(member, seq);
                if (recording.get()) {
                    long sentAt = Long.parseLong(text, colon + 1, text.length(), 10);
                    latency.recordValue(Math.max(0, System.nanoTime() - sentAt) / 1000);
                }
            }
        };
        Runnable oneJoined = () -> {
            if (joined.incrementAndGet() == members) {
                allJoined.complete(null);
            }
        };
        List<XmppClient> occupants = new ArrayList<>();
        for (int i = 0; i < xmppOccupants; i++) {
            int member = i;
            occupants.add(new XmppClient(target.domain(), "u" + run + "o" + i, stanza -> {
                if (stanza.startsWith("<message")) {
                    String text = XmppWire.body(stanza);
                    if (text != null) {
                        body.accept(member, text);
                    }
                } else if (stanza.startsWith("<presence")) {
                    if ("error".equals(XmppWire.attribute(stanza, "type"))) {
                        allJoined.completeExceptionally(new IllegalStateException("join refused: " + stanza));
                    } else if (XmppWire.hasStatus(stanza, 110)) {
                        oneJoined.run();
                    }
                }
            }));
        }
        List<LoadClient.Conn> conns = new ArrayList<>();
        try {
            conns.addAll(client.open(target.xmppUrl(), xmppOccupants, "xmpp", occupants::get));
            for (int i = 0; i < xmppOccupants; i++) {
                occupants.get(i).start(conns.get(i));
            }
            for (XmppClient each : occupants) {
                each.bound().get(120, TimeUnit.SECONDS);
            }
            phase("bound");
            for (int i = 0; i < xmppOccupants; i++) {
                occupants.get(i).send(XmppWire.join(roomJid, "o" + i));
            }
            if (jsonMembers > 0) {
                List<LoadClient.Conn> json = client.open(target.chatBase() + "chat/" + room, jsonMembers, null, i -> text -> {
                    if (text.startsWith("{\"type\":\"message\"")) {
                        int at = text.indexOf("\"text\":\"");
                        if (at > 0) {
                            body.accept(xmppOccupants + i, text.substring(at + 8, text.indexOf('"', at + 8)));
                        }
                    } else if (text.startsWith("{\"type\":\"welcome\"")) {
                        oneJoined.run();
                    }
                });
                conns.addAll(json);
                for (int i = 0; i < jsonMembers; i++) {
                    json.get(i).send("{\"type\":\"join\",\"nick\":\"j" + i + "\"}");
                }
            }
            allJoined.get(180, TimeUnit.SECONDS);
            phase("joined");
            XmppClient sender = occupants.get(0);
            // a first message through the room: once every member has it, the joins' presence backlog is out of the way
            sender.send(XmppWire.groupchat(roomJid, "barrier"));
            long barrierUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (delivered.sum() < members && System.nanoTime() < barrierUntil) {
                Thread.sleep(1);
            }
            if (delivered.sum() < members) {
                throw new IllegalStateException("the first room message reached " + delivered.sum() + " of " + members);
            }
            phase("barrier");
            awaitQuiet(target.pid());
            phase("quiet");
            delivered.reset();
            latency.reset();
            Cpu cpu = Cpu.start(target.pid());
            recording.set(true);
            senderOf[0] = sender;
            sending.set(true);
            long t0 = System.nanoTime();
            int window = Math.max(4, Math.min(RING / 2, WINDOW_DELIVERIES / members));
            for (int i = 0; i < window; i++) {
                sendNext.run();
            }
            Thread.sleep(measure.toMillis());
            sending.set(false);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long inWindow = delivered.sum();
            Cpu.Use use = cpu.stop();
            long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivered.sum() < sent.get() * members && System.nanoTime() < drainUntil) {
                Thread.sleep(5);
            }
            Histogram h = latency.getIntervalHistogram();
            String scenario = "xmpp muc 1→" + members + (jsonMembers > 0 ? " ½ json" : "");
            return use.into(Results.of(scenario, target.name())
                    .put("deliveries/s", inWindow / seconds)
                    .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                    .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                    .put("lost", sent.get() * members - delivered.sum())
                    .put("out-of-order", outOfOrder.get()));
        } finally {
            conns.forEach(LoadClient.Conn::abort);
            phase("closing");
            awaitQuiet(target.pid()); // the leaves' presence storm is not the next scenario's load
            phase("closed");
        }
    }

    /**
     * {@code pairs} pairs of users; in each, A sends B (its bare JID) a {@code chat} message and B
     * sends its body back to A, which sends the next as soon as the answer arrives: one message in
     * flight per pair. Round trips/s and their latency over the measured window, after
     * {@code warmup}. A message bounced because its recipient's presence was not yet known
     * (Prosody routes a bare JID only to available resources) is sent again 20 ms later.
     */
    Results roundTrips(Target target, int pairs, Duration warmup, Duration measure) throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        AtomicLong trips = new AtomicLong();
        AtomicBoolean recording = new AtomicBoolean();
        Recorder latency = new Recorder(3);
        AtomicLong bounced = new AtomicLong();
        XmppClient[] a = new XmppClient[pairs];
        XmppClient[] b = new XmppClient[pairs];
        String[] bareA = new String[pairs];
        String[] bareB = new String[pairs];
        ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-xmpp-retry");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < pairs; i++) {
            int pair = i;
            a[i] = new XmppClient(target.domain(), "u" + run + "a" + i, stanza -> {
                if (!stanza.startsWith("<message")) {
                    return;
                }
                if ("error".equals(XmppWire.attribute(stanza, "type"))) {
                    bounced.incrementAndGet();
                    retries.schedule(() -> a[pair].send(XmppWire.chat(bareB[pair], Long.toString(System.nanoTime()))),
                            20, TimeUnit.MILLISECONDS);
                    return;
                }
                String text = XmppWire.body(stanza);
                if (text == null) {
                    return;
                }
                if (recording.get()) {
                    latency.recordValue(Math.max(0, System.nanoTime() - Long.parseLong(text)) / 1000);
                }
                trips.incrementAndGet();
                a[pair].send(XmppWire.chat(bareB[pair], Long.toString(System.nanoTime())));
            });
            b[i] = new XmppClient(target.domain(), "u" + run + "b" + i, stanza -> {
                if (stanza.startsWith("<message") && !"error".equals(XmppWire.attribute(stanza, "type"))) {
                    String text = XmppWire.body(stanza);
                    if (text != null) {
                        b[pair].send(XmppWire.chat(bareA[pair], text));
                    }
                }
            });
        }
        List<LoadClient.Conn> conns = new ArrayList<>();
        try {
            conns.addAll(client.open(target.xmppUrl(), 2 * pairs, "xmpp", i -> i < pairs ? a[i] : b[i - pairs]));
            for (int i = 0; i < pairs; i++) {
                a[i].start(conns.get(i));
                b[i].start(conns.get(pairs + i));
            }
            for (int i = 0; i < pairs; i++) {
                bareA[i] = XmppWire.bare(a[i].bound().get(120, TimeUnit.SECONDS));
                bareB[i] = XmppWire.bare(b[i].bound().get(120, TimeUnit.SECONDS));
            }
            for (int i = 0; i < pairs; i++) {
                a[i].send(XmppWire.presence());
                b[i].send(XmppWire.presence());
            }
            awaitQuiet(target.pid());
            for (int i = 0; i < pairs; i++) {
                a[i].send(XmppWire.chat(bareB[i], Long.toString(System.nanoTime())));
            }
            Thread.sleep(warmup.toMillis());
            latency.reset();
            recording.set(true);
            Cpu cpu = Cpu.start(target.pid());
            long before = trips.get();
            long t0 = System.nanoTime();
            Thread.sleep(measure.toMillis());
            long done = trips.get() - before;
            double seconds = (System.nanoTime() - t0) / 1e9;
            Cpu.Use use = cpu.stop();
            recording.set(false);
            Histogram h = latency.getIntervalHistogram();
            if (done == 0) {
                throw new IllegalStateException("no 1:1 round trip in " + measure.toSeconds() + " s (" + bounced.get()
                        + " bounced)");
            }
            return use.into(Results.of("xmpp 1:1 ×" + pairs + " pairs", target.name())
                    .put("round trips/s", done / seconds)
                    .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                    .put("p99 ms", h.getValueAtPercentile(99) / 1000.0));
        } finally {
            retries.shutdownNow();
            conns.forEach(LoadClient.Conn::abort);
            awaitQuiet(target.pid());
        }
    }

    /** {@code BENCH_TRACE=1} prints how long each phase of a fan-out took (logins, joins, the barrier, quiet). */
    private static final boolean TRACE = System.getenv("BENCH_TRACE") != null;
    private static long lastPhase = System.nanoTime();

    private static void phase(String name) {
        long now = System.nanoTime();
        if (TRACE) {
            System.err.printf("xmpp: %s after %.1f s%n", name, (now - lastPhase) / 1e9);
        }
        lastPhase = now;
    }

    /**
     * Waits (60 s at most) until the server process uses under a tenth of a core over a quarter
     * second: what the last scenario left it to do (leaves, presence) is done. No wait without a process.
     */
    static void awaitQuiet(long pid) throws InterruptedException {
        if (pid < 0) {
            Thread.sleep(1000);
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        double last = Cpu.seconds(pid);
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            double now = Cpu.seconds(pid);
            if (Double.isNaN(now) || now - last < 0.025) {
                return;
            }
            last = now;
        }
    }

    /** CPU used by this JVM (the client) and by the server process over a window, as % of one core. */
    record Cpu(long pid, double client, double server, long t0) {

        static Cpu start(long pid) {
            return new Cpu(pid, clientSeconds(), seconds(pid), System.nanoTime());
        }

        Use stop() {
            double wall = (System.nanoTime() - t0) / 1e9;
            return new Use((clientSeconds() - client) / wall * 100, (seconds(pid) - server) / wall * 100);
        }

        record Use(double client, double server) {
            Results into(Results row) {
                row.put("client cpu %", client);
                if (!Double.isNaN(server)) {
                    row.put("server cpu %", server);
                }
                return row;
            }
        }

        static double clientSeconds() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e9;
        }

        /** The process's total CPU time (all its threads), NaN when it is not ours to see. */
        static double seconds(long pid) {
            if (pid < 0) {
                return Double.NaN;
            }
            return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                    .map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
        }
    }
}
