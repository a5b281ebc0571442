package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The STOMP peer: Apache ActiveMQ Artemis from its binary distribution, one in-memory broker in
 * its own JVM with a STOMP acceptor on loopback (Artemis answers the WebSocket upgrade on the same
 * port), no security, no persistence, audit logging off, and a connection TTL long enough that
 * subscribers which only listen are not dropped after Artemis's default 60 s — its fastest honest setting. The instance
 * lives in a temporary directory that is removed on close.
 */
final class ArtemisPeer implements AutoCloseable {

    private static final String READY = "AMQ221007"; // "Server is now active"
    private static final String BRIDGE_CONNECTED = "AMQ221027"; // "Bridge … is connected"

    private static final String LOG4J = """
            rootLogger.level = WARN
            rootLogger.appenderRef.console.ref = console
            logger.server.name = org.apache.activemq.artemis.core.server
            logger.server.level = INFO
            logger.audit.name = org.apache.activemq.audit
            logger.audit.level = OFF
            appender.console.type = Console
            appender.console.name = console
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d %-5level [%logger] %msg%n
            """;

    private final List<String> command;
    private final Path instance;
    private final int port;
    private Process process;
    /** The journal the broker said it uses ("NIO", "AIO", "MAPPED"), or "none" without persistence. */
    private volatile String journal = "none";
    /** Completes once the broker logs that a cluster bridge to another broker is connected. */
    private final CompletableFuture<Void> bridged = new CompletableFuture<>();
    private volatile boolean closing;
    private int errorsTraced; // on the log reader's thread only

    private ArtemisPeer(List<String> command, Path instance, int port) {
        this.command = command;
        this.instance = instance;
        this.port = port;
    }

    static ArtemisPeer start(Path home, List<String> heap) throws Exception {
        requireDistribution(home);
        int port = freePort();
        Path instance = inMemoryInstance(port, "bench", "");
        ArtemisPeer peer = new ArtemisPeer(launchCommand(home, instance, heap), instance, port);
        peer.launch();
        return peer;
    }

    /**
     * Two in-memory brokers as {@link #start} makes one, clustered by Artemis's own clustering: each
     * has a core acceptor on a free loopback port and a cluster-connection over a static connector
     * to the other (max-hops 1, duplicate detection on, as {@code artemis create --clustered} writes
     * it), with message-load-balancing ON_DEMAND, so a topic's subscribers on either broker get every
     * message published on the other. Returns once both are active and each one's cluster bridge to
     * the other is connected.
     */
    static List<ArtemisPeer> startCluster(Path home, List<String> heap) throws Exception {
        requireDistribution(home);
        int[] core = {freePort(), freePort()};
        List<ArtemisPeer> brokers = new ArrayList<>();
        try {
            for (int n = 0; n < 2; n++) {
                int port = freePort();
                String cluster = """
                        <cluster-user>bench-cluster</cluster-user>
                        <cluster-password>bench-cluster</cluster-password>
                        <connectors>
                           <connector name="self">tcp://127.0.0.1:%d</connector>
                           <connector name="peer">tcp://127.0.0.1:%d</connector>
                        </connectors>
                        <cluster-connections>
                           <cluster-connection name="bench-cluster">
                              <connector-ref>self</connector-ref>
                              <retry-interval>500</retry-interval>
                              <use-duplicate-detection>true</use-duplicate-detection>
                              <message-load-balancing>ON_DEMAND</message-load-balancing>
                              <max-hops>1</max-hops>
                              <static-connectors>
                                 <connector-ref>peer</connector-ref>
                              </static-connectors>
                           </cluster-connection>
                        </cluster-connections>
                        """.formatted(core[n], core[1 - n]);
                String acceptor = "<acceptor name=\"cluster\">tcp://127.0.0.1:" + core[n] + "?protocols=CORE</acceptor>";
                Path instance = inMemoryInstance(port, "bench-" + (char) ('a' + n), cluster, acceptor);
                ArtemisPeer broker = new ArtemisPeer(launchCommand(home, instance, heap), instance, port);
                brokers.add(broker);
                broker.launch();
            }
            for (ArtemisPeer broker : brokers) {
                broker.bridged.get(60, TimeUnit.SECONDS);
            }
            return brokers;
        } catch (Exception e) {
            closeAll(brokers);
            throw e;
        }
    }

    private static void requireDistribution(Path home) {
        if (!Files.isRegularFile(home.resolve("lib/artemis-boot.jar"))) {
            throw new IllegalArgumentException(home + " is not an Artemis distribution (no lib/artemis-boot.jar)");
        }
    }

    private static Path inMemoryInstance(int port, String name, String cluster) throws IOException {
        return inMemoryInstance(port, name, cluster, "");
    }

    /** A new instance folder for an in-memory broker {@code name}: its STOMP acceptor on {@code port}, plus {@code cluster} in its core. */
    private static Path inMemoryInstance(int port, String name, String cluster, String moreAcceptors) throws IOException {
        Path instance = Files.createTempDirectory("switchboard-bench-artemis");
        Path etc = Files.createDirectories(instance.resolve("etc"));
        Files.writeString(etc.resolve("bootstrap.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <broker xmlns="http://activemq.apache.org/schema">
                   <jaas-security domain="activemq"/>
                   <server configuration="file:${artemis.instance}/etc/broker.xml"/>
                </broker>
                """);
        Files.writeString(etc.resolve("management.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <management-context xmlns="http://activemq.apache.org/schema"/>
                """);
        Files.writeString(etc.resolve("broker.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <configuration xmlns="urn:activemq">
                   <core xmlns="urn:activemq:core">
                      <name>%s</name>
                      <persistence-enabled>false</persistence-enabled>
                      <security-enabled>false</security-enabled>
                      <jmx-management-enabled>false</jmx-management-enabled>
                      <critical-analyzer>false</critical-analyzer>
                      <paging-directory>data/paging</paging-directory>
                      <bindings-directory>data/bindings</bindings-directory>
                      <journal-directory>data/journal</journal-directory>
                      <large-messages-directory>data/large-messages</large-messages-directory>
                      %s
                      <acceptors>
                         <acceptor name="stomp-ws">tcp://127.0.0.1:%d?protocols=STOMP;connectionTtl=86400000;anycastPrefix=/queue/;multicastPrefix=/topic/</acceptor>
                         %s
                      </acceptors>
                      <address-settings>
                         <address-setting match="#">
                            <auto-create-queues>true</auto-create-queues>
                            <auto-create-addresses>true</auto-create-addresses>
                            <default-address-routing-type>MULTICAST</default-address-routing-type>
                            <dead-letter-address>DLQ</dead-letter-address>
                            <expiry-address>ExpiryQueue</expiry-address>
                         </address-setting>
                      </address-settings>
                      <addresses>
                         <address name="DLQ"><anycast><queue name="DLQ"/></anycast></address>
                         <address name="ExpiryQueue"><anycast><queue name="ExpiryQueue"/></anycast></address>
                      </addresses>
                   </core>
                </configuration>
                """.formatted(name, cluster, port, moreAcceptors));
        // text frames for STOMP over WebSocket, as browsers' STOMP clients expect (not allowed in the acceptor URL)
        Files.writeString(etc.resolve("broker.properties"), "acceptorConfigurations.stomp-ws.params.webSocketEncoderType=text\n");
        Files.writeString(etc.resolve("log4j2.properties"), LOG4J);
        return instance;
    }

    /**
     * A persistent broker as {@code artemis create} makes one on this machine — its default journal
     * (ASYNCIO where libaio is installed, NIO otherwise), its journal-buffer-timeout tuned by the
     * create command's own disk test, its address settings — with one STOMP acceptor on a free
     * loopback port (the created STOMP acceptor's parameters, plus the same prefixes and TTL as the
     * in-memory peer), security off (the tool does not log in) and the same log settings. The
     * instance, and so its journal, lives in a new folder under {@code parent}.
     */
    static ArtemisPeer startPersistent(Path home, List<String> heap, Path parent) throws Exception {
        requireDistribution(home);
        int port = freePort();
        Path instance = Files.createTempDirectory(parent, "artemis");
        List<String> create = List.of(home.toAbsolutePath().resolve("bin/artemis").toString(), "create",
                "--user", "bench", "--password", "bench", "--allow-anonymous", "--no-web", "--no-amqp-acceptor",
                "--no-mqtt-acceptor", "--no-hornetq-acceptor", "--host", "127.0.0.1", "--silent", "--force",
                instance.toString());
        ProcessBuilder builder = new ProcessBuilder(create).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome());
        Process creating = builder.start();
        String output = new String(creating.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!creating.waitFor(120, TimeUnit.SECONDS) || creating.exitValue() != 0) {
            creating.destroyForcibly();
            throw new IOException("artemis create failed:\n" + output);
        }
        output.lines().filter(line -> line.contains("writes per millisecond"))
                .forEach(line -> System.err.println("artemis create: " + line.trim()));
        Path etc = instance.resolve("etc");
        String broker = Files.readString(etc.resolve("broker.xml"));
        int from = broker.indexOf("<acceptors>");
        int to = broker.indexOf("</acceptors>");
        if (from < 0 || to < 0) {
            throw new IOException("no <acceptors> in the broker.xml artemis create wrote");
        }
        broker = broker.substring(0, from) + "<acceptors>\n         <acceptor name=\"stomp-ws\">tcp://127.0.0.1:" + port
                + "?tcpSendBufferSize=1048576;tcpReceiveBufferSize=1048576;protocols=STOMP;useEpoll=true;"
                + "connectionTtl=86400000;anycastPrefix=/queue/;multicastPrefix=/topic/</acceptor>\n      "
                + broker.substring(to);
        Files.writeString(etc.resolve("broker.xml"), broker);
        Files.writeString(etc.resolve("broker.properties"), "acceptorConfigurations.stomp-ws.params.webSocketEncoderType=text\n"
                + "securityEnabled=false\n");
        Files.writeString(etc.resolve("log4j2.properties"), LOG4J);
        List<String> command = launchCommand(home, instance, heap);
        command.add(command.size() - 4, "-Djava.security.auth.login.config=" + etc.resolve("login.config"));
        command.add(command.size() - 4, "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED");
        ArtemisPeer peer = new ArtemisPeer(command, instance, port);
        peer.launch();
        return peer;
    }

    private static List<String> launchCommand(Path home, Path instance, List<String> heap) {
        Path etc = instance.resolve("etc");
        List<String> command = new ArrayList<>(List.of(ServerProcess.javaCommand()));
        command.addAll(heap);
        command.addAll(List.of("-XX:-UsePerfData",
                "-Dartemis.home=" + home.toAbsolutePath(), "-Dartemis.instance=" + instance,
                "-Dartemis.instance.etc=" + etc,
                "-Dlog4j2.configurationFile=" + etc.resolve("log4j2.properties").toUri(),
                "-cp", home.toAbsolutePath().resolve("lib/artemis-boot.jar").toString(),
                "org.apache.activemq.artemis.boot.Artemis", "run"));
        return command;
    }

    /** The JDK this tool runs on, for {@code artemis create} (it needs JAVA_HOME). */
    private static String javaHome() {
        return Path.of(ServerProcess.javaCommand()).toAbsolutePath().getParent().getParent().toString();
    }

    /** Starts the broker process and waits until it is active. */
    private void launch() throws Exception {
        process = new ProcessBuilder(command).directory(instance.toFile()).redirectErrorStream(true).start();
        try {
            awaitReady();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Ends the broker with SIGKILL, as a crash would; its instance and journal stay. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts the broker again on the same instance, journal and port (after {@link #kill()}); returns once it is active. */
    void restart() throws Exception {
        launch();
    }

    /** "NIO", "AIO" or "MAPPED" as the broker logged it, or "none" for the in-memory broker. */
    String journal() {
        return journal;
    }

    /** Reads the broker's log until it says it is active; keeps draining it afterwards so it never blocks. */
    private void awaitReady() throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        java.util.Deque<String> last = new java.util.ArrayDeque<>();
        Thread reader = new Thread(() -> {
            int trace = 0;
            try (BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = log.readLine()) != null; ) {
                    if (!ready.isDone()) {
                        last.addLast(line);
                        if (last.size() > 40) {
                            last.removeFirst();
                        }
                    }
                    if (line.contains("AMQ221012") || line.contains("AMQ221013") || line.contains("Journal")
                            && line.contains("Using")) {
                        // "Using AIO Journal" / "Using NIO Journal" / "Using Mapped Journal"
                        journal = line.replaceAll(".*Using (\\w+) Journal.*", "$1");
                    }
                    if (line.contains(BRIDGE_CONNECTED)) {
                        bridged.complete(null);
                    }
                    if (line.contains(READY)) {
                        ready.complete(null);
                    } else if (line.contains(" ERROR [")) {
                        // not its WARNs: it logs several for every subscriber that goes without a DISCONNECT
                        System.err.println("artemis: " + (closing ? "(shutting down) " : "") + line);
                        trace = errorsTraced++ == 0 ? 12 : 0; // the first error's stack trace too
                    } else if (trace > 0 && (line.startsWith("\t") || line.startsWith("Caused") || line.contains("Exception"))) {
                        trace--;
                        System.err.println("artemis:   " + line);
                    }
                }
            } catch (IOException e) {
                // the broker ended
            }
            ready.completeExceptionally(new IOException("Artemis ended before it was ready:\n" + String.join("\n", last)));
        }, "bench-artemis-log");
        reader.setDaemon(true);
        reader.start();
        ready.get(120, TimeUnit.SECONDS);
    }

    String wsBase() {
        return "ws://127.0.0.1:" + port + "/";
    }

    /** The broker's JVM (its CPU goes into the fan-out rows). */
    long pid() {
        return process.pid();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the brokers of a cluster together (each one's errors about its peer leaving are then marked as such). */
    static void closeAll(List<ArtemisPeer> brokers) throws Exception {
        brokers.forEach(broker -> broker.closing = true);
        brokers.forEach(broker -> broker.process.destroy());
        for (ArtemisPeer broker : brokers) {
            broker.close();
        }
    }

    @Override
    public void close() throws Exception {
        closing = true;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(instance)) {
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
