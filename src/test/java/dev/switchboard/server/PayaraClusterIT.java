package dev.switchboard.server;

import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real WAR in two Payara Micro instances clustered over TCP-IP on loopback, with
 * {@code cluster=on}: Switchboard on Payara's own data grid (JNDI {@code payara/Hazelcast}), one
 * room and one topic across both, and a {@code kill -9} of one instance reported to the other's
 * rooms within 15 s. One pair for the class: each instance takes a while to start here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraClusterIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration STARTUP = Duration.ofSeconds(240);

    private static final List<Instance> PAIR = new ArrayList<>();

    /** One Payara Micro process, its own folder, port and grid port. */
    private record Instance(Process process, Path folder, int port) {
        URI http(String path) {
            return URI.create("http://127.0.0.1:" + port + "/switchboard/" + path);
        }

        URI ws(String path) {
            return URI.create("ws://127.0.0.1:" + port + "/switchboard/" + path);
        }
    }

    @BeforeAll
    static void startPair() throws Exception {
        Path jar = Path.of(System.getProperty("payara.microJar", "target/payara-micro.jar"));
        Path war = Path.of(System.getProperty("switchboard.test.war", "target/switchboard.war"));
        int gridA = freePort();
        int gridB = freePort();
        String members = "127.0.0.1:" + gridA + ",127.0.0.1:" + gridB;
        for (int grid : new int[] {gridA, gridB}) {
            PAIR.add(start(jar, war, grid, members));
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        for (Instance each : PAIR) {
            while (members(each) != 2) {
                if (!each.process().isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Payara pair did not form a grid: " + tail(each));
                }
                Thread.sleep(500); // polling another process's HTTP listener: nothing to wait on
            }
        }
    }

    private static Instance start(Path jar, Path war, int gridPort, String members) throws IOException {
        Path folder = Files.createTempDirectory("switchboard-payara-cluster");
        Files.createDirectories(folder.resolve("root"));
        Files.createDirectories(folder.resolve("unpack"));
        Path preboot = Files.writeString(folder.resolve("preboot.asadmin"),
                "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1\n");
        int port = freePort();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dswitchboard.cluster=on", "-Dswitchboard.data-dir=" + folder.resolve("data"),
                "-Dswitchboard.rate.messages-per-second=1000",
                // the documented options: a dead member is dropped after 10 s, not Hazelcast's 60
                "-Dhazelcast.max.no.heartbeat.seconds=10", "-Dhazelcast.heartbeat.interval.seconds=1",
                "-jar", jar.toAbsolutePath().toString(),
                "--clustermode", "tcpip:" + members, "--startport", Integer.toString(gridPort),
                "--interfaces", "127.0.0.1", "--nohostaware", "--disablephonehome",
                "--port", Integer.toString(port), "--rootdir", folder.resolve("root").toString(),
                "--unpackdir", folder.resolve("unpack").toString(), "--prebootcommandfile", preboot.toString(),
                "--deploy", war.toAbsolutePath().toString(), "--contextroot", "switchboard");
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("payara.log").toFile()).start();
        return new Instance(process, folder, port);
    }

    @AfterAll
    static void stopPair() throws Exception {
        for (Instance each : PAIR) {
            each.process().descendants().forEach(ProcessHandle::destroyForcibly);
            each.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(each.folder())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int members(Instance instance) {
        try {
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(instance.http("health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonObject cluster = json(health.body()).getJsonObject("cluster");
            return cluster == null ? -1 : cluster.getInt("members");
        } catch (Exception notYet) {
            return -1;
        }
    }

    private static String tail(Instance instance) {
        try {
            List<String> lines = Files.readAllLines(instance.folder().resolve("payara.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject next(WsClient client, String type, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonObject message = json(client.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).text());
            if (message.getString("type").equals(type)) {
                return message;
            }
        }
    }

    private static JsonObject join(WsClient client, String nick) throws InterruptedException {
        client.sendText("{\"type\":\"join\",\"nick\":\"" + nick + "\"}");
        return next(client, "welcome", Duration.ofSeconds(10));
    }

    @Test
    @Order(1)
    void aRoomIsOneRoomAcrossBothInstances() throws Exception {
        Instance a = PAIR.get(0);
        Instance b = PAIR.get(1);
        try (WsClient alice = WsClient.connect(a.ws("chat/payara-pair"));
             WsClient bob = WsClient.connect(b.ws("chat/payara-pair"))) {
            join(alice, "alice");
            JsonObject welcome = join(bob, "bob");
            assertEquals(2, welcome.getJsonArray("members").size(), "bob's welcome lists alice on the other instance");
            alice.sendText("{\"type\":\"message\",\"text\":\"across Payara\"}");
            JsonObject atAlice = next(alice, "message", Duration.ofSeconds(10));
            JsonObject atBob = next(bob, "message", Duration.ofSeconds(10));
            assertEquals("across Payara", atBob.getString("text"));
            assertEquals(atAlice.getString("id"), atBob.getString("id"));
            assertEquals(atAlice.getJsonNumber("offset").longValue(), atBob.getJsonNumber("offset").longValue());
        }
    }

    @Test
    @Order(2)
    void aTopicMessageReachesASubscriberOnTheOtherInstance() throws Exception {
        try (WsClient subscriber = WsClient.connect(PAIR.get(1).ws("stomp"));
             WsClient publisher = WsClient.connect(PAIR.get(0).ws("stomp"))) {
            subscriber.sendText("CONNECT\naccept-version:1.2\nhost:b\n\n\0SUBSCRIBE\nid:s\ndestination:/topic/pair\nreceipt:r\n\n\0");
            String frames = subscriber.nextText();
            while (!frames.contains("RECEIPT")) {
                frames = subscriber.nextText();
            }
            publisher.sendText("CONNECT\naccept-version:1.2\nhost:a\n\n\0SEND\ndestination:/topic/pair\n\nfrom A\0");
            String message = subscriber.nextText();
            assertTrue(message.startsWith("MESSAGE") && message.endsWith("from A\0"), message);
        }
    }

    /** A queue's home is on one instance; a receipted message reaches a consumer on the other, once. */
    @Test
    @Order(2)
    void aQueueMessageSentOnOneInstanceIsConsumedOnTheOther() throws Exception {
        try (WsClient producer = WsClient.connect(PAIR.get(0).ws("stomp"));
             WsClient consumer = WsClient.connect(PAIR.get(1).ws("stomp"))) {
            producer.sendText("CONNECT\naccept-version:1.2\nhost:a\n\n\0SEND\ndestination:/queue/pair\nreceipt:sent\n\n"
                    + "kept on A\0");
            String frames = producer.nextText();
            while (!frames.contains("receipt-id:sent")) {
                frames = producer.nextText();
            }
            consumer.sendText("CONNECT\naccept-version:1.2\nhost:b\n\n\0SUBSCRIBE\nid:s\ndestination:/queue/pair\n"
                    + "ack:client-individual\n\n\0");
            String message = consumer.nextText();
            while (!message.startsWith("MESSAGE")) {
                message = consumer.nextText();
            }
            assertTrue(message.endsWith("kept on A\0"), message);
        }
    }

    @Test
    @Order(3)
    void theMembersOfAKilledInstanceAreUnavailableOnTheOtherWithin15Seconds() throws Exception {
        Instance a = PAIR.get(0);
        Instance b = PAIR.get(1);
        try (WsClient alice = WsClient.connect(a.ws("chat/payara-crash"));
             WsClient bob = WsClient.connect(b.ws("chat/payara-crash"))) {
            join(alice, "alice");
            join(bob, "bob");
            assertEquals("bob", next(alice, "presence", Duration.ofSeconds(10)).getString("nick"));
            long killed = System.nanoTime();
            b.process().descendants().forEach(ProcessHandle::destroyForcibly);
            b.process().destroyForcibly(); // SIGKILL
            JsonObject gone = next(alice, "presence", Duration.ofSeconds(30));
            long seconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
            assertEquals("bob", gone.getString("nick"));
            assertEquals("unavailable", gone.getString("presence"));
            assertTrue(seconds < 15, "reported after " + seconds + " s");
        }
    }
}
