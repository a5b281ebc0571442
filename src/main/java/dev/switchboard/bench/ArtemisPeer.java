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

    private final Process process;
    private final Path instance;
    private final int port;

    private ArtemisPeer(Process process, Path instance, int port) {
        this.process = process;
        this.instance = instance;
        this.port = port;
    }

    static ArtemisPeer start(Path home, List<String> heap) throws Exception {
        if (!Files.isRegularFile(home.resolve("lib/artemis-boot.jar"))) {
            throw new IllegalArgumentException(home + " is not an Artemis distribution (no lib/artemis-boot.jar)");
        }
        int port = freePort();
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
                      <name>bench</name>
                      <persistence-enabled>false</persistence-enabled>
                      <security-enabled>false</security-enabled>
                      <jmx-management-enabled>false</jmx-management-enabled>
                      <critical-analyzer>false</critical-analyzer>
                      <paging-directory>data/paging</paging-directory>
                      <bindings-directory>data/bindings</bindings-directory>
                      <journal-directory>data/journal</journal-directory>
                      <large-messages-directory>data/large-messages</large-messages-directory>
                      <acceptors>
                         <acceptor name="stomp-ws">tcp://127.0.0.1:%d?protocols=STOMP;connectionTtl=86400000;anycastPrefix=/queue/;multicastPrefix=/topic/</acceptor>
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
                """.formatted(port));
        // text frames for STOMP over WebSocket, as browsers' STOMP clients expect (not allowed in the acceptor URL)
        Files.writeString(etc.resolve("broker.properties"), "acceptorConfigurations.stomp-ws.params.webSocketEncoderType=text\n");
        Files.writeString(etc.resolve("log4j2.properties"), """
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
                """);
        List<String> command = new ArrayList<>(List.of(ServerProcess.javaCommand()));
        command.addAll(heap);
        command.addAll(List.of("-XX:-UsePerfData",
                "-Dartemis.home=" + home.toAbsolutePath(), "-Dartemis.instance=" + instance,
                "-Dlog4j2.configurationFile=" + etc.resolve("log4j2.properties").toUri(),
                "-cp", home.toAbsolutePath().resolve("lib/artemis-boot.jar").toString(),
                "org.apache.activemq.artemis.boot.Artemis", "run"));
        Process process = new ProcessBuilder(command).directory(instance.toFile()).redirectErrorStream(true).start();
        ArtemisPeer peer = new ArtemisPeer(process, instance, port);
        try {
            peer.awaitReady();
        } catch (Exception e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    /** Reads the broker's log until it says it is active; keeps draining it afterwards so it never blocks. */
    private void awaitReady() throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        java.util.Deque<String> last = new java.util.ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = log.readLine()) != null; ) {
                    if (!ready.isDone()) {
                        last.addLast(line);
                        if (last.size() > 40) {
                            last.removeFirst();
                        }
                    }
                    if (line.contains(READY)) {
                        ready.complete(null);
                    } else if (line.contains(" ERROR [")) {
                        // not its WARNs: it logs several for every subscriber that goes without a DISCONNECT
                        System.err.println("artemis: " + line);
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
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
