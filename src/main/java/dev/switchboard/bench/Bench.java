package dev.switchboard.bench;

import dev.switchboard.config.SwitchboardConfig;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/switchboard-bench.jar [--target URL] [--seconds N] [--idle N] [--only LIST]
 * [--artemis DIR] [--payara PAYARA_MICRO_JAR] [--war WAR] [--baseline-jar JAR] [--runs N] [--storm-members N] [--storm-drop N] [--storm-rate N] [--json]}: load
 * scenarios printed as a table.
 * <p>
 * Without {@code --target} it starts, each in its own JVM on loopback, Switchboard (standalone,
 * rate limits lifted, {@code -Dswitchboard.*} options of this JVM passed on), a bare Tyrus echo
 * endpoint and a Jetty echo endpoint — and Apache Artemis for STOMP when {@code --artemis} (or
 * {@code ARTEMIS_HOME}) names its distribution — runs the same scenarios against each in one run
 * and prints Switchboard ÷ peer ratios: on a noisy machine, ratios from one run are what count.
 * With {@code --target} it runs the scenarios against that deployment only. Every scenario is
 * bounded in time and connections, and a watchdog bounds the whole run.
 * <p>
 * {@code --payara PAYARA_MICRO_JAR} (without {@code --target}) also starts Payara Micro from that
 * jar with {@code target/switchboard.war} ({@code --war} for another; {@link PayaraMicro}) and runs
 * echo, latency, STOMP fan-out 1→100 and 1→1,000, chat fan-out, images and idle connections
 * against it beside the standalone server, printing "payara÷sb" rows (and "payara÷jetty",
 * "payara÷art" where those peers ran), and what Payara's log says of the WebSocket fast path.
 * <p>
 * STOMP (and Artemis) and chat fan-out also run at 1→5,000 on the standalone server: the fan-out
 * rows give the CPU of the load client ("client cpu %", this JVM) and of the server ("server cpu %",
 * its process) over the measured window, as % of one core, so a client that ran out of CPU shows.
 * <p>
 * Every Switchboard process the tool starts (this build, a baseline jar, Payara) gets its own
 * temporary {@code data-dir}, removed at the end, unless {@code -Dswitchboard.data-dir} is given.
 * <p>
 * {@code --baseline-jar JAR} (without {@code --target}) compares this build with another one in the same run: it also starts
 * Switchboard from that standalone jar (same heap, same lifted limits) and runs the {@code stomp}
 * scenarios against both, each one new, baseline, baseline, new with the two runs of each side
 * averaged (so drift during the run cancels out), and prints new ÷ baseline ratios. A baseline jar
 * from an earlier commit: {@code git clone -q . /tmp/baseline-src && git -C /tmp/baseline-src
 * checkout -q COMMIT && (cd /tmp/baseline-src && ./mvnw -B -ntp -q -DskipTests package)}, then
 * {@code --baseline-jar /tmp/baseline-src/target/switchboard-standalone.jar}.
 * <p>
 * {@code reconnect} is a reconnect storm on chat: 1,000 members in {@code chat/storm}, one
 * publisher at 100 room messages/s; after the warm-up 200 members lose their connection (no close
 * handshake) over one second and each rejoins at once with {@code since} = its epoch and the last
 * offset it saw. Missed (a gap) or duplicated messages over the 200 make the run fail (exit 1), and
 * so do messages never delivered to them when the members never dropped got everything.
 * {@code --storm-members N}, {@code --storm-drop N} and {@code --storm-rate N} change those
 * numbers (100/s to 1,000 members is 100,000 deliveries/s: about a small machine's chat fan-out,
 * and then the storm measures a backlog, which its "others lost" column shows).
 * <p>
 * {@code persist} and {@code restart} (side by side only) are persistent STOMP on queues against
 * Switchboard with its store at {@code stomp.store.sync=always} and {@code =batch} and a persistent
 * Artemis, with the disk's fsync rate probed in the same folder ({@link Persistence});
 * {@code --runs N} repeats each of their measurements N times and prints mean and spread.
 * <p>
 * {@code cluster} (side by side only; {@link #clusterFanOut}) starts two {@code cluster=on} nodes, a
 * {@code cluster=off} node and, with {@code --artemis}, two Artemis brokers clustered by Artemis
 * ({@link ArtemisPeer#startCluster}): cross-node STOMP fan-out against one node, cluster=off and the
 * Artemis pair (each side in turn and in reverse, {@code --runs} times, averaged), chat latency to
 * receivers on each node, and presence after node B is killed and after it is frozen.
 * <p>
 * {@code xmpp} is XMPP over WebSocket ({@link XmppLoad}): MUC fan-out to 100 and 1,000 occupants,
 * a room half XMPP occupants and half JSON chat members, and 1:1 {@code chat} round trips, side by
 * side with Debian's Prosody ({@link ProsodyPeer}) where it is installed.
 */
public final class Bench {

    private static final List<String> SCENARIOS = List.of("echo", "latency", "stomp", "slow", "chat", "reconnect", "images",
            "idle", "persist", "restart", "xmpp", "cluster", "proxies");

    private final List<Results> results = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    /** Text printed after the table: heap histograms, what the servers' logs say of the fast path. */
    private final List<String> notes = new ArrayList<>();
    private final LoadClient client;
    private final Duration warmup;
    private final Duration measure;
    private final Storm storm;
    private final int runs;

    /** The reconnect storm's size: members in the room, how many are dropped, the publisher's messages/s. */
    private record Storm(int members, int dropped, double rate) {
    }

    private Bench(LoadClient client, Duration warmup, Duration measure, Storm storm, int runs) {
        this.client = client;
        this.warmup = warmup;
        this.measure = measure;
        this.storm = storm;
        this.runs = runs;
    }

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        String target = option(list, "--target", null);
        Duration measure = Duration.ofSeconds(Long.parseLong(option(list, "--seconds", "5")));
        int idle = Integer.parseInt(option(list, "--idle", "10000"));
        Set<String> only = Set.copyOf(Arrays.asList(option(list, "--only", String.join(",", SCENARIOS)).split(",")));
        String artemisHome = option(list, "--artemis", System.getenv("ARTEMIS_HOME"));
        String baselineJar = option(list, "--baseline-jar", null);
        if (baselineJar != null && !java.nio.file.Files.isRegularFile(Path.of(baselineJar))) {
            System.err.println("switchboard-bench: --baseline-jar " + baselineJar + " is not a file");
            System.exit(2);
        }
        String payaraJar = option(list, "--payara", null);
        if (payaraJar != null && !java.nio.file.Files.isRegularFile(Path.of(payaraJar))) {
            System.err.println("switchboard-bench: --payara " + payaraJar + " is not a file");
            System.exit(2);
        }
        Path war = Path.of(option(list, "--war", defaultWar().toString()));
        int runs = Integer.parseInt(option(list, "--runs", "1"));
        if (runs < 1 || runs > 20) {
            System.err.println("switchboard-bench: --runs must be 1 to 20");
            System.exit(2);
        }
        Duration warmup = Duration.ofSeconds(2);
        Thread watchdog = watchdog(warmup.plus(measure).multipliedBy(100L + 40L * runs)
                .plusSeconds(300L + 300L * runs + (payaraJar == null ? 0 : 600) + (only.contains("cluster") ? 300L * runs : 0)));
        // Ctrl-C or a kill of this JVM: no server process it started outlives it (Payara, Artemis, the rest)
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly), "bench-stop-servers"));

        Bench bench;
        try (LoadClient client = new LoadClient()) {
            Storm storm = new Storm(Integer.parseInt(option(list, "--storm-members", "1000")),
                    Integer.parseInt(option(list, "--storm-drop", "200")),
                    Double.parseDouble(option(list, "--storm-rate", "100")));
            bench = new Bench(client, warmup, measure, storm, runs);
            if (target != null) {
                String base = (target.endsWith("/") ? target : target + "/").replaceFirst("^http", "ws");
                bench.againstTarget(base, only);
            } else {
                bench.sideBySide(only, idle, artemisHome == null ? null : Path.of(artemisHome),
                        baselineJar == null ? null : Path.of(baselineJar), payaraJar == null ? null : Path.of(payaraJar), war);
            }
        }
        System.out.println();
        System.out.print(Results.table(bench.results));
        if (!bench.notes.isEmpty()) {
            System.out.println();
            bench.notes.forEach(System.out::print);
        }
        if (list.contains("--json")) {
            bench.results.forEach(r -> System.out.println(r.json()));
        }
        watchdog.interrupt();
        if (!bench.failed.isEmpty()) {
            System.err.println("switchboard-bench: failed: " + String.join(", ", bench.failed));
        }
        System.exit(bench.failed.isEmpty() ? 0 : 1);
    }

    private void againstTarget(String base, Set<String> only) throws Exception {
        String name = "target";
        run("echo", only, () -> {
            for (int payload : new int[] {64, 4096}) {
                results.add(Results.of(echoScenario(payload), name)
                        .put("round trips/s", client.echoThroughput(base, 64, 16, payload, warmup, measure)));
            }
        });
        run("latency", only, () -> {
            results.add(latency(base, name));
        });
        run("stomp", only, () -> {
            client.stompFanOut(base, "warm-up", 100, LoadClient.Pace.MAX, warmup.multipliedBy(3));
            for (int subscribers : new int[] {100, 1000}) {
                results.add(client.stompFanOut(base, name, subscribers, LoadClient.Pace.MAX, measure));
                results.add(client.stompFanOut(base, name, subscribers, LoadClient.Pace.fixed(10_000), measure));
            }
        });
        run("slow", only, () -> {
            slowConsumer(base, name);
        });
        run("chat", only, () -> {
            chat(base, name);
        });
        run("reconnect", only, () -> {
            reconnectStorm(base, name);
        });
        run("images", only, () -> {
            results.add(client.imageFanOut(base, name, 51, 1 << 20, measure));
        });
        run("xmpp", only, () -> {
            new XmppLoad(client, warmup, measure).against(new XmppLoad.Target(name, base + "xmpp", base, "localhost", -1), results);
        });
    }

    private void sideBySide(Set<String> only, int idle, Path artemisHome, Path baselineJar, Path payaraJar, Path war)
            throws Exception {
        List<String> serverOptions = serverJvmOptions();
        boolean inPayara = payaraJar != null && PAYARA_SCENARIOS.stream().anyMatch(only::contains);
        try (ServerProcess switchboard = ServerProcess.start("switchboard", serverOptions);
             ServerProcess tyrus = ServerProcess.start("tyrus", serverOptions);
             ServerProcess jetty = ServerProcess.start("jetty", serverOptions);
             PayaraMicro payara = inPayara ? payara(payaraJar, war, serverOptions) : null) {
            String sb = switchboard.wsBase();
            String pm = payara == null ? null : payara.wsBase();
            for (MeasuredServer each : java.util.stream.Stream.of(switchboard, tyrus, jetty, payara)
                    .filter(java.util.Objects::nonNull).toList()) {
                client.serverProcess(each.wsBase(), each.pid());
            }
            run("echo", only, () -> {
                for (MeasuredServer each : java.util.stream.Stream.of(switchboard, tyrus, jetty, payara)
                        .filter(java.util.Objects::nonNull).toList()) {
                    client.echoThroughput(each.wsBase(), 64, 16, 64, Duration.ZERO, warmup.multipliedBy(2)); // JIT warm-up
                }
                for (int payload : new int[] {64, 4096}) {
                    // S-T-J-(P-P)-J-T-S, averaged, so drift during the run (heat, neighbours) cancels out
                    double s1 = echo(sb, payload);
                    double t1 = echo(tyrus.wsBase(), payload);
                    double j1 = echo(jetty.wsBase(), payload);
                    double p1 = pm == null ? 0 : echo(pm, payload);
                    double p2 = pm == null ? 0 : echo(pm, payload);
                    double j2 = echo(jetty.wsBase(), payload);
                    double t2 = echo(tyrus.wsBase(), payload);
                    double s2 = echo(sb, payload);
                    String scenario = echoScenario(payload);
                    results.add(Results.of(scenario, "switchboard").put("round trips/s", (s1 + s2) / 2));
                    results.add(Results.of(scenario, "bare tyrus").put("round trips/s", (t1 + t2) / 2));
                    results.add(Results.of(scenario, "jetty").put("round trips/s", (j1 + j2) / 2));
                    results.add(Results.of(scenario, "÷ tyrus").put("round trips/s", (s1 + s2) / (t1 + t2)));
                    results.add(Results.of(scenario, "÷ jetty").put("round trips/s", (s1 + s2) / (j1 + j2)));
                    if (pm != null) {
                        results.add(Results.of(scenario, "payara").put("round trips/s", (p1 + p2) / 2));
                        results.add(Results.of(scenario, PAYARA_SB).put("round trips/s", (p1 + p2) / (s1 + s2)));
                        results.add(Results.of(scenario, "payara÷jetty").put("round trips/s", (p1 + p2) / (j1 + j2)));
                    }
                }
            });
            run("latency", only, () -> {
                Results s = latency(sb, "switchboard");
                Results t = latency(tyrus.wsBase(), "bare tyrus");
                Results j = latency(jetty.wsBase(), "jetty");
                results.addAll(List.of(s, t, j, s.ratio(t, "÷ tyrus"), s.ratio(j, "÷ jetty")));
                if (pm != null) {
                    Results p = latency(pm, "payara");
                    results.addAll(List.of(p, p.ratio(s, PAYARA_SB), p.ratio(j, "payara÷jetty")));
                }
            });
            if (only.contains("stomp") || only.contains("slow")) {
                stompAgainstPeers(sb, pm, only, artemisHome, baselineJar, serverOptions);
            }
            run("chat", only, () -> {
                for (int members : new int[] {100, 1000, 5000}) {
                    Results s = client.chatFanOut(sb, "switchboard", members, measure);
                    results.add(s);
                    if (pm != null && members <= 1000) {
                        Results p = client.chatFanOut(pm, "payara", members, measure);
                        results.addAll(List.of(p, p.ratio(s, PAYARA_SB)));
                    }
                }
            });
            run("reconnect", only, () -> {
                reconnectStorm(sb, "switchboard");
            });
            run("images", only, () -> {
                Results s = client.imageFanOut(sb, "switchboard", 51, 1 << 20, measure);
                results.add(s);
                if (pm != null) {
                    Results p = client.imageFanOut(pm, "payara", 51, 1 << 20, measure);
                    results.addAll(List.of(p, p.ratio(s, PAYARA_SB)));
                }
            });
            run("xmpp", only, () -> {
                new XmppLoad(client, warmup, measure).withProsody(sb, switchboard.pid(), results);
            });
            run("proxies", only, () -> {
                throughProxies(sb);
            });
            fastPathNote("switchboard", switchboard.logLines("fast path"));
            if (payara != null) {
                fastPathNote("payara", payara.logLines("fast path"));
            }
        }
        run("cluster", only, () -> {
            clusterFanOut(serverOptions, artemisHome);
        });
        run("idle", only, () -> {
            Results s = idle("switchboard", serverOptions, idle);
            Results t = idle("tyrus", serverOptions, idle);
            Results j = idle("jetty", serverOptions, idle);
            results.addAll(List.of(s, t, j, s.ratio(t, "÷ tyrus"), s.ratio(j, "÷ jetty")));
            if (payaraJar != null) {
                Results p = idlePayara(payaraJar, war, serverOptions, idle);
                results.addAll(List.of(p, p.ratio(s, PAYARA_SB), p.ratio(j, "payara÷jetty")));
            }
        });
        if (only.contains("persist") || only.contains("restart")) {
            Persistence persistence = new Persistence(new PersistentLoad(client), warmup, measure, runs, results,
                    (name, body) -> run(name, only, body::run));
            persistence.run(only, artemisHome, serverOptions);
        }
    }

    /**
     * What a reverse proxy costs: echo (64 B and 4 KiB) and a STOMP fan-out to 100, each through
     * nginx and HAProxy (where installed; {@link ProxyPeer}, configured as docs/deploy.md has them,
     * without TLS) and directly, interleaved direct–proxy–proxy–direct so drift cancels out, with
     * proxy ÷ direct. The proxies share the machine's cores with the server and the client.
     */
    private void throughProxies(String direct) throws Exception {
        List<String> proxies = ProxyPeer.installed();
        if (proxies.isEmpty()) {
            notes.add("proxies: neither nginx nor haproxy is installed (apt-get install nginx haproxy); skipped");
            return;
        }
        int upstream = java.net.URI.create(direct).getPort();
        for (String name : proxies) {
            try (ProxyPeer proxy = ProxyPeer.start(name, upstream)) {
                String via = proxy.wsBase();
                client.echoThroughput(via, 64, 16, 64, Duration.ZERO, warmup); // the proxy's own warm-up
                for (int payload : new int[] {64, 4096}) {
                    double d1 = echo(direct, payload);
                    double p1 = echo(via, payload);
                    double p2 = echo(via, payload);
                    double d2 = echo(direct, payload);
                    String scenario = echoScenario(payload) + " via proxy";
                    results.add(Results.of(scenario, "direct").put("round trips/s", (d1 + d2) / 2));
                    results.add(Results.of(scenario, name).put("round trips/s", (p1 + p2) / 2));
                    results.add(Results.of(scenario, name + "÷direct").put("round trips/s", (p1 + p2) / (d1 + d2)));
                }
                Results d = viaProxy(client.stompFanOut(direct, "direct", 100, LoadClient.Pace.MAX, measure));
                Results p = viaProxy(client.stompFanOut(via, name, 100, LoadClient.Pace.MAX, measure));
                results.addAll(List.of(d, p, p.ratio(d, name + "÷direct")));
            }
        }
    }

    private static Results viaProxy(Results row) {
        return new Results(row.scenario() + " via proxy", row.server(), row.values());
    }

    /**
     * The cluster on one machine: two standalone nodes (cluster=on, their own JVMs, one Hazelcast
     * grid on loopback) beside a cluster=off node, and — where {@code artemisHome} names its
     * distribution — two Artemis brokers clustered by Artemis itself ({@link ArtemisPeer#startCluster}).
     * <ul>
     * <li>STOMP topic fan-out (each side in turn, then in the reverse order, × {@code --runs}, averaged,
     * with the spread), the publisher on node A and the subscribers on A only ("one node") or
     * split over A and B ("two nodes"; on Artemis the same, "artemis one" on broker A only and
     * "artemis ×2" split over its two brokers);
     * <li>chat latency at a fixed rate from a sender on A to receivers on A and on B;
     * <li>last, presence after {@code kill -9} of node B: how long until the watchers on A have seen
     * each of B's members {@code unavailable} (the contract says within 15 s); then the same on a
     * new pair whose node B is frozen (SIGSTOP) instead, so that only missed heartbeats tell.
     * </ul>
     */
    private void clusterFanOut(List<String> serverOptions, Path artemisHome) throws Exception {
        int portA = freePort();
        int portB = freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "bench-" + ProcessHandle.current().pid();
        List<ArtemisPeer> artemis = List.of();
        try (ServerProcess plain = ServerProcess.start("switchboard", serverOptions);
             ServerProcess a = ServerProcess.start("switchboard", clusterOptions(serverOptions, name, portA, members));
             ServerProcess b = ServerProcess.start("switchboard", clusterOptions(serverOptions, name, portB, members))) {
            client.serverProcess(a.wsBase(), a.pid());
            client.serverProcess(b.wsBase(), b.pid());
            client.serverProcess(plain.wsBase(), plain.pid());
            if (artemisHome != null) {
                artemis = ArtemisPeer.startCluster(artemisHome, serverHeap());
                client.serverProcess(artemis.get(0).wsBase(), artemis.get(0).pid());
            } else {
                System.err.println("switchboard-bench: no Artemis (--artemis DIR or ARTEMIS_HOME): the cluster runs without its peer");
            }
            List<String> artemisBases = artemis.stream().map(ArtemisPeer::wsBase).toList();
            awaitMembers(a, 2);
            client.stompFanOut(a.wsBase(), List.of(a.wsBase(), b.wsBase()), "warm-up", 100, LoadClient.Pace.MAX, false,
                    LoadClient.STOMP_BODY_BYTES, warmup.multipliedBy(3));
            client.stompFanOut(plain.wsBase(), "warm-up", 100, LoadClient.Pace.MAX, warmup);
            if (!artemis.isEmpty()) {
                client.stompFanOut(artemisBases.get(0), artemisBases, "warm-up", 100, LoadClient.Pace.MAX, false,
                        LoadClient.STOMP_BODY_BYTES, warmup.multipliedBy(3));
            }
            // each fan-out runs against every side in turn, then again in the reverse order (× --runs),
            // and each side's runs are averaged: on a shared machine the load moves within a minute
            record Side(String name, String publisher, List<String> subscribers, String base) {
            }
            List<Side> sides = new ArrayList<>(List.of(
                    new Side("cluster=off", plain.wsBase(), List.of(plain.wsBase()), plain.wsBase()),
                    new Side("one node", a.wsBase(), List.of(a.wsBase()), a.wsBase()),
                    new Side("two nodes", a.wsBase(), List.of(a.wsBase(), b.wsBase()), a.wsBase())));
            if (!artemis.isEmpty()) {
                sides.add(new Side("artemis one", artemisBases.get(0), artemisBases.subList(0, 1), artemisBases.get(0)));
                sides.add(new Side("artemis ×2", artemisBases.get(0), artemisBases, artemisBases.get(0)));
            }
            for (int subscribers : new int[] {100, 1000}) {
                for (LoadClient.Pace pace : List.of(LoadClient.Pace.MAX, LoadClient.Pace.fixed(10_000))) {
                    java.util.Map<String, List<Results>> bySide = new java.util.LinkedHashMap<>();
                    sides.forEach(side -> bySide.put(side.name(), new ArrayList<>()));
                    for (int round = 0; round < 2 * runs; round++) {
                        List<Side> order = new ArrayList<>(sides);
                        if (round % 2 == 1) {
                            java.util.Collections.reverse(order);
                        }
                        for (Side side : order) {
                            bySide.get(side.name()).add(client.stompFanOut(side.publisher(), side.subscribers(), side.name(),
                                    subscribers, pace, false, LoadClient.STOMP_BODY_BYTES, measure));
                        }
                    }
                    java.util.Map<String, Results> mean = new java.util.LinkedHashMap<>();
                    bySide.forEach((side, each) -> mean.put(side, Results.summary(each)));
                    results.addAll(mean.values());
                    Results across = mean.get("two nodes");
                    results.add(across.ratio(mean.get("one node"), "÷ one node"));
                    results.add(across.ratio(mean.get("cluster=off"), "÷ cluster=off"));
                    if (mean.containsKey("artemis ×2")) {
                        results.add(across.ratio(mean.get("artemis ×2"), "÷ artemis×2"));
                        results.add(mean.get("artemis ×2").ratio(mean.get("artemis one"), "art×2÷one"));
                    }
                }
            }
            ArtemisPeer.closeAll(artemis);
            artemis = List.of();
            List<Results> latency = client.chatLatency(a.wsBase(), List.of(a.wsBase(), b.wsBase()),
                    List.of("to node A", "to node B"), 100, 200, warmup, measure);
            results.addAll(latency);
            results.add(latency.get(1).ratio(latency.get(0), "B ÷ A"));
            // last: it ends node B
            results.add(client.presenceAfterKill(a.wsBase(), b.wsBase(), 100, 10, "kill -9", b::kill));
        } finally {
            ArtemisPeer.closeAll(artemis);
        }
        presenceAfterFreeze(serverOptions);
    }

    /**
     * Presence when node B vanishes without a word: a new pair of nodes, and B is stopped with
     * SIGSTOP — its sockets stay open (the kernel still answers for them), as for a host whose
     * network went away, so only the grid's missed heartbeats tell A. Then B is killed.
     */
    private void presenceAfterFreeze(List<String> serverOptions) throws Exception {
        int portA = freePort();
        int portB = freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "bench-freeze-" + ProcessHandle.current().pid();
        try (ServerProcess a = ServerProcess.start("switchboard", clusterOptions(serverOptions, name, portA, members));
             ServerProcess b = ServerProcess.start("switchboard", clusterOptions(serverOptions, name, portB, members))) {
            awaitMembers(a, 2);
            try {
                results.add(client.presenceAfterKill(a.wsBase(), b.wsBase(), 100, 10, "SIGSTOP", () -> signal(b.pid(), "STOP")));
            } finally {
                b.kill(); // SIGKILL ends a stopped process too
            }
        }
    }

    /** Sends {@code kill -SIGNAL pid} (Java's ProcessHandle has only TERM and KILL). */
    private static void signal(long pid, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
        }
    }

    private static List<String> clusterOptions(List<String> serverOptions, String name, int port, String members) {
        List<String> options = new ArrayList<>(serverOptions);
        options.addAll(List.of("-Dswitchboard.cluster=on", "-Dswitchboard.cluster.name=" + name,
                "-Dswitchboard.cluster.port=" + port, "-Dswitchboard.cluster.members=" + members));
        return options;
    }

    /** Waits (at most 90 s) until the node's health counts {@code members} grid members. */
    private static void awaitMembers(ServerProcess node, int members) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI health = java.net.URI.create(node.wsBase().replaceFirst("^ws", "http") + "health");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(health).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("\"members\":" + members)) {
                return;
            }
            Thread.sleep(200); // polling a process we do not control: nothing to wait on
        }
        throw new IllegalStateException("the cluster did not reach " + members + " members within 90 s");
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** The scenarios that also run in Payara with {@code --payara}. */
    private static final List<String> PAYARA_SCENARIOS = List.of("echo", "latency", "stomp", "chat", "images", "idle");

    private static final String PAYARA_SB = "payara÷sb";

    /** Payara Micro for the run, or null (and the run goes on without it, failed "payara") when it does not start. */
    private PayaraMicro payara(Path payaraJar, Path war, List<String> serverOptions) {
        try {
            PayaraMicro payara = PayaraMicro.start(payaraJar, war, serverOptions);
            System.err.println("switchboard-bench: Payara Micro up at " + payara.wsBase() + " (pid " + payara.pid() + ")");
            return payara;
        } catch (Exception e) {
            failed.add("payara");
            System.err.println("switchboard-bench: Payara Micro did not start: " + e.getMessage());
            return null;
        }
    }

    /** What a server's log said of the WebSocket fast path (transport/FastPath logs it per kind of session). */
    private void fastPathNote(String server, List<String> lines) {
        StringBuilder note = new StringBuilder("fast path, " + server + "'s log: ");
        if (lines.isEmpty()) {
            note.append("no line with \"fast path\"\n");
        } else {
            note.append('\n');
            lines.stream().distinct().forEach(l -> note.append("  ").append(l.strip()).append('\n'));
        }
        System.out.print(note);
        notes.add(note.toString());
    }

    /** Idle connections to a fresh Payara Micro, heap resident from the start as for the others. */
    private Results idlePayara(Path payaraJar, Path war, List<String> serverOptions, int target) throws Exception {
        List<String> options = new ArrayList<>(serverOptions);
        options.add("-XX:+AlwaysPreTouch");
        try (PayaraMicro payara = PayaraMicro.start(payaraJar, war, options)) {
            // a first connection, closed: the echo endpoint's classes and Tyrus's are loaded before the baseline
            client.echoThroughput(payara.wsBase(), 1, 1, 64, Duration.ZERO, Duration.ofMillis(500));
            return client.idleConnections(payara, "payara", target, notes);
        }
    }

    /** {@code switchboard.war} beside this tool's jar ({@code target/}), or {@code target/switchboard.war}. */
    private static Path defaultWar() {
        try {
            Path jar = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (java.nio.file.Files.isRegularFile(jar)) {
                return jar.resolveSibling("switchboard.war");
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall through
        }
        return Path.of("target", "switchboard.war");
    }

    /**
     * Idle connections to a fresh server process whose heap is resident from the start, so that its
     * RSS growth is the connections' memory outside the heap (the live heap is measured apart).
     */
    private Results idle(String kind, List<String> serverOptions, int target) throws Exception {
        List<String> options = new ArrayList<>(serverOptions);
        options.add("-XX:+AlwaysPreTouch");
        try (ServerProcess server = ServerProcess.start(kind, options)) {
            // a first connection, closed: the endpoint's classes are loaded before the baseline (as in Payara)
            client.echoThroughput(server.wsBase(), 1, 1, 64, Duration.ZERO, Duration.ofMillis(500));
            return client.idleConnections(server, kind.equals("tyrus") ? "bare tyrus" : kind, target, notes);
        }
    }

    /**
     * STOMP fan-out against Switchboard and, where given, Artemis and a baseline build. Against a
     * baseline each scenario runs new, baseline, baseline, new and each side's two runs are
     * averaged, since the two builds are close and the machine's drift is not.
     */
    private void stompAgainstPeers(String sb, String payara, Set<String> only, Path artemisHome, Path baselineJar,
                                   List<String> serverOptions) throws Exception {
        boolean stomp = only.contains("stomp");
        try (ArtemisPeer artemis = artemisHome == null ? null : ArtemisPeer.start(artemisHome, serverHeap());
             ServerProcess baseline = baselineJar == null || !stomp ? null
                     : ServerProcess.startJar("baseline", baselineJar, serverOptions)) {
            if (artemis != null) {
                client.serverProcess(artemis.wsBase(), artemis.pid());
            }
            if (baseline != null) {
                client.serverProcess(baseline.wsBase(), baseline.pid());
            }
            if (artemis == null) {
                System.err.println("switchboard-bench: no Artemis (--artemis DIR or ARTEMIS_HOME): STOMP runs without a peer");
            }
            // every broker gets the same warm-up (JIT, buffers) before anything is measured; the peers start cold
            run("stomp", only, () -> {
                client.stompFanOut(sb, "warm-up", 100, LoadClient.Pace.MAX, warmup.multipliedBy(3));
                if (artemis != null) {
                    client.stompFanOut(artemis.wsBase(), "warm-up", 100, LoadClient.Pace.MAX, warmup.multipliedBy(3));
                }
                if (baseline != null) {
                    client.stompFanOut(baseline.wsBase(), "warm-up", 100, LoadClient.Pace.MAX, warmup.multipliedBy(3));
                }
                if (payara != null) {
                    client.stompFanOut(payara, "warm-up", 100, LoadClient.Pace.MAX, warmup.multipliedBy(3));
                }
                for (int subscribers : new int[] {100, 1000, 5000}) {
                    for (LoadClient.Pace pace : List.of(LoadClient.Pace.MAX, LoadClient.Pace.fixed(10_000))) {
                        Results s;
                        if (baseline != null) {
                            Results s1 = client.stompFanOut(sb, "switchboard", subscribers, pace, measure);
                            Results b1 = client.stompFanOut(baseline.wsBase(), "baseline", subscribers, pace, measure);
                            Results b2 = client.stompFanOut(baseline.wsBase(), "baseline", subscribers, pace, measure);
                            Results s2 = client.stompFanOut(sb, "switchboard", subscribers, pace, measure);
                            s = s1.mean(s2);
                            Results b = b1.mean(b2);
                            results.addAll(List.of(s, b, s.ratio(b, "÷ baseline")));
                        } else {
                            s = client.stompFanOut(sb, "switchboard", subscribers, pace, measure);
                            results.add(s);
                        }
                        Results p = null;
                        if (payara != null && subscribers <= 1000) {
                            p = client.stompFanOut(payara, "payara", subscribers, pace, measure);
                            results.addAll(List.of(p, p.ratio(s, PAYARA_SB)));
                        }
                        if (artemis != null) {
                            Results a = client.stompFanOut(artemis.wsBase(), "artemis", subscribers, pace, measure);
                            results.add(a);
                            results.add(s.ratio(a, "÷ artemis"));
                            if (p != null) {
                                results.add(p.ratio(a, "payara÷art"));
                            }
                        }
                    }
                }
            });
            run("slow", only, () -> {
                slowConsumer(sb, "switchboard");
                if (artemis != null) {
                    slowConsumer(artemis.wsBase(), "artemis");
                }
            });
        }
    }

    /**
     * The others' rate without, with, and again without one subscriber that stops reading (given
     * longer to be caught); the two runs without it are averaged so warm-up does not flatter either side.
     */
    private void slowConsumer(String base, String server) throws Exception {
        Results before = client.stompFanOut(base, server, 50, LoadClient.Pace.MAX, false, 1024, measure);
        double closedBefore = serverSlowConsumerCloses(base);
        Results with = client.stompFanOut(base, server, 50, LoadClient.Pace.MAX, true, 1024, measure.multipliedBy(3));
        double closedAfter = serverSlowConsumerCloses(base);
        if (closedBefore >= 0 && closedAfter >= 0) {
            // the server's own count: a reader that stopped may never read its close frame
            with.put("server 1013", closedAfter - closedBefore);
        }
        Results after = client.stompFanOut(base, server, 50, LoadClient.Pace.MAX, false, 1024, measure);
        Results without = before.mean(after);
        results.addAll(List.of(without, with, with.ratio(without, "÷ without")));
    }

    /** Switchboard's count of 1013 closes on STOMP from its metrics page, or -1 where there is none (a peer). */
    private static double serverSlowConsumerCloses(String wsBase) {
        try {
            java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(wsBase.replaceFirst("^ws", "http") + "metrics"))
                            .timeout(Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("switchboard_closes_total{code=\"1013\",endpoint=\"stomp\"}")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return metrics.statusCode() == 200 && metrics.body().contains("switchboard_") ? 0 : -1;
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A step of the run: {@code body} when {@code only} names it; a failure is reported and the run goes on. */
    private void run(String name, Set<String> only, Step body) {
        if (!only.contains(name)) {
            return;
        }
        try {
            body.run();
        } catch (Exception e) {
            failed.add(name);
            System.err.println("switchboard-bench: " + name + " failed: " + e);
            e.printStackTrace();
        }
    }

    interface Step {
        void run() throws Exception;
    }

    /** The reconnect storm; a missed or duplicated message fails the step (and the run). */
    private void reconnectStorm(String base, String server) throws Exception {
        Results storm = client.reconnectStorm(base, server, "storm", this.storm.members(), this.storm.dropped(),
                this.storm.rate(), warmup, Duration.ofSeconds(1),
                measure.compareTo(Duration.ofSeconds(3)) < 0 ? Duration.ofSeconds(3) : measure);
        results.add(storm);
        long missed = storm.values().get("missed").longValue();
        long duplicated = storm.values().get("duplicated").longValue();
        long lost = storm.values().get("lost").longValue();
        long othersLost = storm.values().get("others lost").longValue();
        // a backlog that reached no one in time is load, not recovery: lost counts only when the others got everything
        if (missed != 0 || duplicated != 0 || (lost != 0 && othersLost == 0)) {
            throw new IllegalStateException("reconnect storm: " + missed + " missed, " + duplicated
                    + " duplicated, " + lost + " lost messages");
        }
        if (othersLost != 0) {
            System.err.println("switchboard-bench: reconnect storm: the room's backlog was not delivered in 30 s ("
                    + othersLost + " to members never dropped): the server could not keep up with this rate");
        }
    }

    private void chat(String base, String server) throws Exception {
        for (int members : new int[] {100, 1000}) {
            results.add(client.chatFanOut(base, server, members, measure));
        }
    }

    private double echo(String base, int payload) throws Exception {
        return client.echoThroughput(base, 64, 16, payload, warmup, measure);
    }

    private static String echoScenario(int payload) {
        return "echo 64×16 " + payload + " B";
    }

    private Results latency(String base, String server) throws Exception {
        Histogram h = client.echoLatency(base, 64, 10_000, warmup, measure);
        return Results.of("echo latency @10k/s", server)
                .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                .put("p99.9 ms", h.getValueAtPercentile(99.9) / 1000.0);
    }

    /** Every server process gets the same heap; Switchboard also gets this JVM's {@code -Dswitchboard.*}. */
    private static List<String> serverJvmOptions() {
        List<String> options = new ArrayList<>(serverHeap());
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith(SwitchboardConfig.PROPERTY_PREFIX)) {
                options.add("-D" + k + "=" + v);
            }
        });
        return options;
    }

    /** A fixed heap (no resizing) so that RSS before and after a scenario compare. */
    private static List<String> serverHeap() {
        return List.of("-Xms1g", "-Xmx1g");
    }

    private static Thread watchdog(Duration limit) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
                System.err.println("switchboard-bench: stopped after " + limit.toSeconds() + " s");
                // halt runs no hooks: end the server processes this tool started, so none outlives it
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException finished) {
                // the run ended in time
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
    }
}
