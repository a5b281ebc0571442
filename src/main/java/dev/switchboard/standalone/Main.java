package dev.switchboard.standalone;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar switchboard-standalone.jar}: Switchboard on Tyrus + Grizzly, configured by the
 * same keys as the WAR. Ctrl-C or SIGTERM closes open WebSockets with 1001 and exits.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        SwitchboardConfig config;
        try {
            config = SwitchboardConfig.fromEnvironment();
        } catch (ConfigException e) {
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        SwitchboardServer server;
        try {
            server = SwitchboardServer.start(config, pagesDirectory());
        } catch (ConfigException e) {
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("switchboard: " + e.getMessage()
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        System.out.println("Switchboard is running on " + server.baseUri() + " (Ctrl-C stops it)");
        stopped.await();
    }

    /** The pages packed in the jar; from a source checkout without them, src/main/webapp and the built vendor files. */
    private static List<Path> pagesDirectory() {
        if (Main.class.getClassLoader().getResource(SwitchboardServer.CLASSPATH_WEBAPP + "index.html") != null) {
            return List.of();
        }
        return Stream.of(Path.of("src", "main", "webapp"), Path.of("target", "generated-webapp"))
                .filter(Files::isDirectory).toList();
    }
}
