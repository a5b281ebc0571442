package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The persistent STOMP scenarios ({@code persist}, {@code restart}): Switchboard with its store at
 * {@code stomp.store.sync=always} and {@code =batch} and Artemis with persistence on (its default
 * journal), all with their data in one temporary folder on one file system, next to a probe of
 * that disk's own fsync rate taken before and after. Each measurement runs {@code --runs} times,
 * the servers in turn and in reverse order on every other run, so drift during the run falls on
 * all of them; rows print the mean and the spread.
 */
final class Persistence {

    /** Runs a named step of the bench, reporting its failure and going on. */
    interface Runner {
        void step(String name, Bench.Step body);
    }

    static final int ACK_MESSAGES = 20_000;
    static final int RESTART_MESSAGES = 100_000;
    private static final Duration FSYNC_PROBE = Duration.ofSeconds(2);

    private final PersistentLoad load;
    private final Duration warmup;
    private final Duration measure;
    private final int runs;
    private final List<Results> results;
    private final Runner runner;
    /** Every fsync probe of this run, one before each measured scenario and one at the end: the disk is shared and drifts. */
    private final List<Double> fsyncs = new ArrayList<>();
    private Path root;

    Persistence(PersistentLoad load, Duration warmup, Duration measure, int runs, List<Results> results, Runner runner) {
        this.load = load;
        this.warmup = warmup;
        this.measure = measure;
        this.runs = runs;
        this.results = results;
        this.runner = runner;
    }

    /** A broker under test that can crash and come back on the same data. */
    private interface Broker extends AutoCloseable {
        String name();

        String wsBase();

        void kill() throws Exception;

        void restart() throws Exception;
    }

    /** Switchboard in its own JVM with its data folder; a restart is a new process on the same folder. */
    private static final class SwitchboardBroker implements Broker {
        private final String name;
        private final List<String> options;
        private ServerProcess process;

        SwitchboardBroker(String name, Path data, String sync, List<String> serverOptions) throws IOException {
            this.name = name;
            this.options = new ArrayList<>(serverOptions);
            options.addAll(switchboardStoreOptions(data, sync));
            this.process = ServerProcess.start("switchboard", options);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String wsBase() {
            return process.wsBase();
        }

        @Override
        public void kill() throws Exception {
            process.kill();
        }

        @Override
        public void restart() throws Exception {
            process.close();
            process = ServerProcess.start("switchboard", options);
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    private static final class ArtemisBroker implements Broker {
        private final ArtemisPeer peer;

        ArtemisBroker(ArtemisPeer peer) {
            this.peer = peer;
        }

        @Override
        public String name() {
            return "artemis";
        }

        @Override
        public String wsBase() {
            return peer.wsBase();
        }

        @Override
        public void kill() throws Exception {
            peer.kill();
        }

        @Override
        public void restart() throws Exception {
            peer.restart();
        }

        @Override
        public void close() throws Exception {
            peer.close();
        }
    }

    /**
     * The keys a persistent Switchboard gets on top of the bench's: its data folder, the store's
     * sync policy, and queue limits lifted (a producer-only run and the restart's 100,000 messages
     * are far past the default 10,000 per queue).
     */
    static List<String> switchboardStoreOptions(Path data, String sync) {
        return List.of("-Dswitchboard.data-dir=" + data, "-Dswitchboard.stomp.store.sync=" + sync,
                "-Dswitchboard.stomp.queue-depth=10000000", "-Dswitchboard.stomp.queue-bytes=1GiB");
    }

    void run(Set<String> only, Path artemisHome, List<String> serverOptions) throws Exception {
        if (artemisHome == null) {
            System.err.println("switchboard-bench: no Artemis (--artemis DIR or ARTEMIS_HOME): persistent STOMP runs without a peer");
        }
        Path root = Files.createTempDirectory("switchboard-bench-persist");
        this.root = root;
        try {
            probe();
            List<Results> rows = new ArrayList<>();
            String[] journal = {"-"};
            if (only.contains("persist")) {
                runner.step("persist", () -> sendAndAck(root, artemisHome, serverOptions, rows, journal));
            }
            if (only.contains("restart")) {
                runner.step("restart", () -> restart(root, artemisHome, serverOptions, rows, journal));
            }
            probe();
            double fsync = fsyncs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            System.err.printf(Locale.ROOT, "switchboard-bench: data in %s; fsync probes %s /s; artemis journal: %s%n",
                    root, fsyncs.stream().map(f -> String.format(Locale.ROOT, "%.0f", f)).toList(), journal[0]);
            results.add(Results.of("fsync probe 200 B appends", "disk").put("fsyncs/s", fsync)
                    .put("lowest /s", fsyncs.stream().mapToDouble(Double::doubleValue).min().orElse(0))
                    .put("highest /s", fsyncs.stream().mapToDouble(Double::doubleValue).max().orElse(0))
                    .put("probes", fsyncs.size()));
            for (Results row : rows) {
                results.add(row.server().contains("÷") ? row : row.fsyncShare(fsync));
            }
        } finally {
            delete(root);
        }
    }

    /** The producer scenarios and consume-and-ack, against the three servers at once. */
    private void sendAndAck(Path root, Path artemisHome, List<String> serverOptions, List<Results> rows, String[] journal)
            throws Exception {
        List<Broker> brokers = new ArrayList<>();
        try {
            brokers.add(new SwitchboardBroker("sb always", Files.createDirectory(root.resolve("sb-always")), "always",
                    serverOptions));
            brokers.add(new SwitchboardBroker("sb batch", Files.createDirectory(root.resolve("sb-batch")), "batch",
                    serverOptions));
            if (artemisHome != null) {
                ArtemisPeer artemis = ArtemisPeer.startPersistent(artemisHome, List.of("-Xms1g", "-Xmx1g"), root);
                journal[0] = artemis.journal();
                brokers.add(new ArtemisBroker(artemis));
            }
            for (Broker b : brokers) { // the same warm-up for every broker (JIT, journal files) before anything counts
                sendOnce(b, "warm-up", "warm", 2, 8);
            }
            int tag = 0;
            for (int[] pw : new int[][] {{1, 1}, {8, 1}, {8, 16}}) {
                String scenario = "persist send " + pw[0] + "×" + pw[1] + " 200 B";
                probe();
                Map<Broker, List<Results>> byBroker = new LinkedHashMap<>();
                for (int r = 0; r < runs; r++) {
                    for (Broker b : inTurn(brokers, r)) {
                        byBroker.computeIfAbsent(b, k -> new ArrayList<>())
                                .add(sendOnce(b, scenario, "s" + (tag++), pw[0], pw[1]));
                    }
                }
                addWithRatios(rows, brokers, byBroker);
            }
            for (int consumers : new int[] {1, 4}) {
                String scenario = "persist ack " + ACK_MESSAGES / 1000 + "k ×" + consumers;
                probe();
                Map<Broker, List<Results>> byBroker = new LinkedHashMap<>();
                for (int r = 0; r < runs; r++) {
                    for (Broker b : inTurn(brokers, r)) {
                        String queue = "ack-" + (tag++);
                        PersistentLoad.Sent fill = load.send(b.wsBase(), queue, 1, 64, ACK_MESSAGES, Duration.ZERO,
                                Duration.ofSeconds(300));
                        Results row = load.consumeAndAck(b.wsBase(), scenario, b.name(), fill.queues().get(0),
                                fill.total(), consumers, Duration.ofSeconds(300));
                        byBroker.computeIfAbsent(b, k -> new ArrayList<>()).add(row.put("fill msgs/s", fill.perSecond()));
                    }
                }
                addWithRatios(rows, brokers, byBroker);
            }
        } finally {
            closeAll(brokers);
        }
    }

    /**
     * One producer run and a drain of what it left, counting what the broker lost of what it
     * receipted (the queues are emptied so the next run starts from empty queues).
     */
    private Results sendOnce(Broker b, String scenario, String tag, int producers, int window) throws Exception {
        PersistentLoad.Sent sent = load.send(b.wsBase(), "bench-" + tag, producers, window, 0, warmup, measure);
        PersistentLoad.Drained drained = load.drain(b.wsBase(), sent.queues(), sent.receiptsByQueue(), System.nanoTime(),
                Duration.ofSeconds(5), Duration.ofSeconds(120));
        return Results.of(scenario, b.name())
                .put("msgs/s", sent.perSecond())
                .put("p50 ms", sent.latency().getTotalCount() == 0 ? 0 : sent.latency().getValueAtPercentile(50) / 1000.0)
                .put("p99 ms", sent.latency().getTotalCount() == 0 ? 0 : sent.latency().getValueAtPercentile(99) / 1000.0)
                .put("lost", drained.missing())
                .put("errors", sent.errors());
    }

    /**
     * Restart with {@value #RESTART_MESSAGES} persistent messages: a fresh broker, one queue filled
     * with receipts (one producer, 256 outstanding), SIGKILL, start again on the same data, then
     * the time until the process is up ("ready": Switchboard prints its port, Artemis says it is
     * active), until a SUBSCRIBE got the first message, and until all arrived, counting them.
     */
    private void restart(Path root, Path artemisHome, List<String> serverOptions, List<Results> rows, String[] journal)
            throws Exception {
        String scenario = "restart " + RESTART_MESSAGES / 1000 + "k persistent";
        List<Results> sb = new ArrayList<>();
        List<Results> artemis = new ArrayList<>();
        probe();
        for (int r = 0; r < runs; r++) {
            try (Broker b = new SwitchboardBroker("sb always", Files.createTempDirectory(root, "sb-restart"), "always",
                    serverOptions)) {
                sb.add(restartOnce(b, scenario));
            }
            if (artemisHome != null) {
                ArtemisPeer peer = ArtemisPeer.startPersistent(artemisHome, List.of("-Xms1g", "-Xmx1g"), root);
                journal[0] = peer.journal();
                try (Broker b = new ArtemisBroker(peer)) {
                    artemis.add(restartOnce(b, scenario));
                }
            }
        }
        Results s = Results.summary(sb);
        rows.add(s);
        if (!artemis.isEmpty()) {
            Results a = Results.summary(artemis);
            rows.add(a);
            rows.add(s.ratio(a, "always÷art"));
        }
    }

    private Results restartOnce(Broker b, String scenario) throws Exception {
        PersistentLoad.Sent fill = load.send(b.wsBase(), "restart", 1, 256, RESTART_MESSAGES, Duration.ZERO,
                Duration.ofSeconds(600));
        b.kill();
        long t0 = System.nanoTime();
        b.restart();
        double ready = (System.nanoTime() - t0) / 1e6;
        PersistentLoad.Drained drained = load.drain(b.wsBase(), fill.queues(), fill.receiptsByQueue(), t0,
                Duration.ofSeconds(15), Duration.ofSeconds(600));
        return Results.of(scenario, b.name())
                .put("fill msgs/s", fill.perSecond())
                .put("ready ms", ready)
                .put("first msg ms", drained.firstMessageMs()) // NaN: nothing came back
                .put("all ms", drained.missing() == 0 ? drained.allMs() : Double.NaN)
                .put("receipted", fill.total())
                .put("lost", drained.missing())
                .put("duplicated", drained.duplicated());
    }

    /** The disk's fsync rate now, in the brokers' data folder. */
    private void probe() throws IOException {
        fsyncs.add(FsyncProbe.fsyncsPerSecond(root, FSYNC_PROBE));
    }

    /** The brokers in turn, in reverse on every other run. */
    static <T> List<T> inTurn(List<T> brokers, int run) {
        List<T> order = new ArrayList<>(brokers);
        if (run % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    /** Each broker's summary, then Switchboard's ÷ Artemis's for both sync policies. */
    private static void addWithRatios(List<Results> rows, List<Broker> brokers, Map<Broker, List<Results>> byBroker) {
        Map<String, Results> summaries = new LinkedHashMap<>();
        for (Broker b : brokers) {
            Results summary = Results.summary(byBroker.get(b));
            summaries.put(b.name(), summary);
            rows.add(summary);
        }
        Results artemis = summaries.get("artemis");
        if (artemis != null) {
            rows.add(summaries.get("sb always").ratio(artemis, "always÷art"));
            rows.add(summaries.get("sb batch").ratio(artemis, "batch÷art"));
        }
    }

    private static void closeAll(List<Broker> brokers) {
        for (Broker b : brokers) {
            try {
                b.close();
            } catch (Exception e) {
                System.err.println("switchboard-bench: stopping " + b.name() + ": " + e);
            }
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
