package dev.switchboard.bench;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.standalone.SwitchboardServer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The main of a server process the load tool starts: {@code switchboard}, {@code tyrus} or
 * {@code jetty} on a free loopback port. It prints {@code port N}, then answers {@code heap} on
 * standard input with its live heap after a full collection, and exits when its input closes (so
 * it never outlives the tool).
 */
public final class BenchServer {

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        AutoCloseable server;
        int port;
        switch (args[0]) {
            case "switchboard" -> {
                Map<String, String> keys = new HashMap<>(liftedLimits());
                System.getProperties().forEach((k, v) -> {
                    String key = k.toString();
                    if (key.startsWith(SwitchboardConfig.PROPERTY_PREFIX)) {
                        keys.put(key.substring(SwitchboardConfig.PROPERTY_PREFIX.length()), v.toString());
                    }
                });
                SwitchboardServer switchboard = SwitchboardServer.start(SwitchboardConfig.of(keys), List.of());
                server = switchboard;
                port = switchboard.port();
            }
            case "tyrus" -> {
                BareTyrusEcho tyrus = BareTyrusEcho.start();
                server = tyrus;
                port = tyrus.port();
            }
            case "jetty" -> {
                JettyEcho jetty = JettyEcho.start();
                server = jetty;
                port = jetty.port();
            }
            default -> throw new IllegalArgumentException("unknown server " + args[0]);
        }
        System.out.println("port " + port);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("heap")) {
                System.out.println("heap " + liveHeap());
                System.out.flush();
            }
        }
        server.close();
        System.exit(0);
    }

    /**
     * The keys every Switchboard the tool starts gets (this build or a baseline jar): a free port,
     * and the flood guard and connection cap lifted, since the bench measures the server, not them;
     * everything else stays at its defaults.
     */
    static Map<String, String> liftedLimits() {
        return Map.of("port", "0", "rate.messages-per-second", "1000000", "rate.burst", "1000000",
                "max-connections", "1000000", "images.history", "0");
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
