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
        quietLibraries();
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
            // straight to stderr: java.util.logging's own shutdown hook may already have closed its handlers
            int open = server.application().connections().count();
            System.err.println("switchboard: shutting down, closing " + open + " WebSocket connections with 1001");
            server.close();
            System.err.println("switchboard: stopped (" + open + " WebSocket connections closed, the STOMP store closed)");
            stopped.countDown();
        }, "switchboard-shutdown"));
        System.out.println(banner(server));
        stopped.await();
    }

    /** One short banner: where it runs and how it is set up (security, TLS, VNC, cluster, data-dir). */
    static String banner(SwitchboardServer server) {
        var app = server.application();
        SwitchboardConfig config = app.config();
        String security = app.security().isOn() ? "on, " + app.security().userCount() + " user"
                + (app.security().userCount() == 1 ? "" : "s") : "off (turn it on before exposing this port: security=on)";
        String vnc = config.vncTargets().isEmpty() ? "none" : String.join(", ", app.vncGateway().targets().names());
        return "Switchboard is running on " + server.baseUri() + " (Ctrl-C stops it)\n"
                + "  security " + security + " · TLS " + (config.tlsKeystore() != null ? "on" : "off") + " · VNC targets: "
                + vnc + " · cluster: off · data-dir: " + app.dataDirectory();
    }

    /**
     * The libraries' INFO lines (Grizzly's listeners, Tyrus, Artemis) are not for the person who
     * started a server: WARNING and above only, Switchboard's own INFO stays. A logging
     * configuration of one's own ({@code -Djava.util.logging.config.file}) is left alone.
     */
    private static void quietLibraries() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        for (String library : new String[] {"org.glassfish", "org.apache.activemq", "jakarta"}) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(library);
            logger.setLevel(java.util.logging.Level.WARNING);
            QUIETED.add(logger); // held: the log manager keeps loggers only weakly
        }
    }

    private static final List<java.util.logging.Logger> QUIETED = new java.util.ArrayList<>();

    /** The pages packed in the jar; from a source checkout without them, src/main/webapp and the built vendor files. */
    private static List<Path> pagesDirectory() {
        if (Main.class.getClassLoader().getResource(SwitchboardServer.CLASSPATH_WEBAPP + "index.html") != null) {
            return List.of();
        }
        return Stream.of(Path.of("src", "main", "webapp"), Path.of("target", "generated-webapp"))
                .filter(Files::isDirectory).toList();
    }
}
