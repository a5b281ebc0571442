package dev.switchboard.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real {@code target/switchboard.war} in WildFly, whose WebSocket stack is Undertow, not
 * Tyrus: the Tyrus-only paths (fast path, unmasking, idle-timer quieting, compression, the
 * handshake's address) fall back to the portable API. One server for the class, its own copy of
 * {@code standalone/} as the base directory, every socket on loopback at a free port offset, the
 * WAR deployed by the deployment scanner at boot.
 */
class WildFlyIT extends DeployedWarChecks {

    private static final Duration STARTUP = Duration.ofSeconds(180);
    /** standalone.xml's sockets from the offset: HTTP 8080, HTTPS 8443, management 9990 and 9993. */
    private static final int[] PORTS = {8080, 8443, 9990, 9993};

    private static ManagedServer wildfly;
    private static int httpPort;

    @Override
    int port() {
        return httpPort;
    }

    @Override
    String server() {
        return "WildFly";
    }

    /**
     * Undertow closes every broken frame but invalid UTF-8 with 1003 (its
     * {@code WebSocketChannel.handleBrokenSourceChannel}), in its own frame parser: the frame never
     * reaches the application, so no portable API can make it the contract's 1002.
     */
    @Override
    int protocolErrorCloseCode() {
        return 1003;
    }

    @BeforeAll
    static void startServer() throws Exception {
        Path home = Path.of(System.getProperty("wildfly.home", "target/containers/wildfly-38.0.1.Final")).toAbsolutePath();
        Path war = Path.of(System.getProperty("switchboard.test.war", "target/switchboard.war")).toAbsolutePath();
        wildfly = new ManagedServer("wildfly");
        int offset = ManagedServer.freeBase(10_000, 55_000, PORTS);
        httpPort = offset + 8080;
        Path base = wildfly.folder().resolve("standalone");
        copyTree(home.resolve("standalone"), base);
        Files.copy(war, base.resolve("deployments/switchboard.war"), StandardCopyOption.REPLACE_EXISTING);
        Process server = wildfly.start(List.of("bash", home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + offset,
                "-Djboss.bind.address=127.0.0.1", "-Djboss.bind.address.management=127.0.0.1"),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "LAUNCH_JBOSS_IN_BACKGROUND", "true"));
        Path failed = base.resolve("deployments/switchboard.war.failed");
        wildfly.awaitOk(URI.create("http://127.0.0.1:" + httpPort + "/switchboard/health"), server, STARTUP,
                () -> Files.exists(failed));
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path each : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(each).toString());
                if (Files.isDirectory(each)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(each, target);
                }
            }
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (wildfly != null) {
            wildfly.close();
        }
    }
}
