package dev.switchboard.bench;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.standalone.SwitchboardServer;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar target/switchboard-bench.jar [--target URL] [--seconds N] [--idle N] [--json]}: load
 * scenarios against a Switchboard deployment, printed as a table. Without {@code --target} it
 * starts Switchboard itself (standalone, rate limits lifted) and a bare Tyrus echo endpoint, runs
 * both in the same run and prints Switchboard ÷ peer ratios — on a noisy machine, ratios from one
 * run are what count. Every scenario is bounded in time and connections.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        String target = option(list, "--target", null);
        Duration measure = Duration.ofSeconds(Long.parseLong(option(list, "--seconds", "5")));
        boolean json = list.contains("--json");
        int idle = Integer.parseInt(option(list, "--idle", "10000"));
        Duration warmup = Duration.ofSeconds(2);
        List<Results> results = new ArrayList<>();
        // every run is bounded: a watchdog ends it whatever a server or scenario does
        Duration limit = warmup.plus(measure).multipliedBy(20).plusSeconds(120);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit.toMillis());
                System.err.println("switchboard-bench: stopped after " + limit.toSeconds() + " s");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException finished) {
                // the run ended in time
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        SwitchboardServer embedded = null;
        BareTyrusEcho tyrus = null;
        try (LoadClient client = new LoadClient()) {
            String wsBase;
            if (target == null) {
                embedded = SwitchboardServer.start(SwitchboardConfig.of(Map.of("port", "0",
                        "rate.messages-per-second", "1000000", "rate.burst", "1000000")), List.of());
                tyrus = BareTyrusEcho.start();
                wsBase = "ws://127.0.0.1:" + embedded.port() + "/";
            } else {
                String t = target.endsWith("/") ? target : target + "/";
                wsBase = t.replaceFirst("^http", "ws");
            }
            if (tyrus != null) {
                // both servers share this JVM's JIT: warm both before either is measured
                client.echoThroughput(wsBase, 64, 16, 64, Duration.ZERO, warmup.multipliedBy(2));
                client.echoThroughput(tyrus.wsBase(), 64, 16, 64, Duration.ZERO, warmup.multipliedBy(2));
            }
            for (int payload : new int[] {64, 4096}) {
                String scenario = "echo 64×16 " + payload + " B";
                if (tyrus == null) {
                    results.add(Results.of(scenario, "switchboard")
                            .put("round trips/s", client.echoThroughput(wsBase, 64, 16, payload, warmup, measure)));
                    continue;
                }
                // A-B-B-A order, averaged, so drift during the run (JIT, heat, neighbours) cancels out
                double a1 = client.echoThroughput(wsBase, 64, 16, payload, warmup, measure);
                double b1 = client.echoThroughput(tyrus.wsBase(), 64, 16, payload, warmup, measure);
                double b2 = client.echoThroughput(tyrus.wsBase(), 64, 16, payload, warmup, measure);
                double a2 = client.echoThroughput(wsBase, 64, 16, payload, warmup, measure);
                results.add(Results.of(scenario, "switchboard").put("round trips/s", (a1 + a2) / 2));
                results.add(Results.of(scenario, "bare tyrus").put("round trips/s", (b1 + b2) / 2));
                results.add(Results.of(scenario, "ratio").put("round trips/s", (a1 + a2) / (b1 + b2)));
            }
            results.add(latency(client, wsBase, "switchboard", warmup, measure));
            if (tyrus != null) {
                results.add(latency(client, tyrus.wsBase(), "bare tyrus", warmup, measure));
            }
            for (int subscribers : new int[] {100, 1000}) {
                results.add(client.stompFanOut(wsBase, "switchboard", subscribers, measure));
            }
            results.add(client.chatFanOut(wsBase, "switchboard", 100, measure));
            URI ws = URI.create(wsBase);
            results.add(client.idleConnections(ws.getHost(), ws.getPort(), "switchboard", idle));
            if (tyrus != null) {
                URI bare = URI.create(tyrus.wsBase());
                results.add(client.idleConnections(bare.getHost(), bare.getPort(), "bare tyrus", idle));
            }
        } finally {
            if (tyrus != null) {
                tyrus.close();
            }
            if (embedded != null) {
                embedded.close();
            }
        }
        System.out.println();
        System.out.print(Results.table(results));
        if (json) {
            results.forEach(r -> System.out.println(r.json()));
        }
        watchdog.interrupt();
        System.exit(0);
    }

    private static Results latency(LoadClient client, String wsBase, String server, Duration warmup, Duration measure)
            throws InterruptedException {
        Histogram h = client.echoLatency(wsBase, 64, 10_000, warmup, measure);
        return Results.of("echo latency @10k/s", server)
                .put("p50 ms", h.getValueAtPercentile(50) / 1000.0)
                .put("p99 ms", h.getValueAtPercentile(99) / 1000.0)
                .put("p99.9 ms", h.getValueAtPercentile(99.9) / 1000.0);
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
    }
}
