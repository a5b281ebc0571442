package dev.switchboard.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code target/switchboard.war} in GlassFish 7 (its WebSocket stack is Tyrus, as in
 * Payara): one domain for the class, made with {@code asadmin create-domain --portbase} on a free
 * range, its listeners on loopback, the WAR deployed with {@code asadmin deploy}.
 */
class GlassFishIT extends DeployedWarChecks {

    private static final Duration STARTUP = Duration.ofSeconds(180);
    /** asadmin's offsets from --portbase: debug, IIOP (3), OSGi shell, JMS, admin, HTTP(S), JMX. */
    private static final int[] OFFSETS = {9, 37, 38, 39, 48, 66, 76, 80, 81, 86};

    private static ManagedServer glassfish;
    private static int httpPort;

    @Override
    int port() {
        return httpPort;
    }

    @Override
    String server() {
        return "GlassFish";
    }

    @BeforeAll
    static void startDomain() throws Exception {
        Path home = Path.of(System.getProperty("glassfish.home", "target/containers/glassfish7"));
        Path war = Path.of(System.getProperty("switchboard.test.war", "target/switchboard.war")).toAbsolutePath();
        glassfish = new ManagedServer("glassfish");
        int base = ManagedServer.freeBase(20_000, 60_000, OFFSETS);
        httpPort = base + 80;
        int adminPort = base + 48;
        Path domains = glassfish.folder().resolve("domains");
        Map<String, String> env = Map.of("AS_JAVA", System.getProperty("java.home"));
        glassfish.run(asadmin(home, "create-domain", "--nopassword=true", "--portbase", Integer.toString(base),
                "--domaindir", domains.toString(), "switchboard"), env, Duration.ofSeconds(120));
        Path domainXml = domains.resolve("switchboard/config/domain.xml");
        // every listener on loopback only (the admin one has no password)
        String config = Files.readString(domainXml);
        String loopback = config.replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"")
                .replace("<network-listener port=", "<network-listener address=\"127.0.0.1\" port=");
        if (!loopback.contains("<network-listener address=\"127.0.0.1\" port=\"" + httpPort + "\"")) {
            throw new IllegalStateException("no HTTP listener on port " + httpPort + " in " + domainXml);
        }
        Files.writeString(domainXml, loopback);
        Process server = glassfish.start(asadmin(home, "start-domain", "--verbose", "--domaindir", domains.toString(),
                "switchboard"), env);
        glassfish.awaitOk(java.net.URI.create("http://127.0.0.1:" + httpPort + "/"), server, STARTUP);
        glassfish.run(asadmin(home, "--host", "127.0.0.1", "--port", Integer.toString(adminPort), "deploy", "--contextroot", "switchboard",
                "--name", "switchboard", war.toString()), env, STARTUP);
        glassfish.awaitOk(java.net.URI.create("http://127.0.0.1:" + httpPort + "/switchboard/health"), server, STARTUP);
    }

    private static List<String> asadmin(Path home, String... arguments) {
        // user.home: asadmin keeps a command cache and a login file under ~/.gfclient
        List<String> command = new ArrayList<>(List.of(ManagedServer.java(),
                "-Duser.home=" + glassfish.folder().resolve("home"), "-jar",
                home.resolve("glassfish/lib/client/appserver-cli.jar").toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    @AfterAll
    static void stopDomain() throws Exception {
        if (glassfish != null) {
            glassfish.close();
        }
    }
}
