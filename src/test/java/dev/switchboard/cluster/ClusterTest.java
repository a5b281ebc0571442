package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two standalone nodes with {@code cluster=on} on one Hazelcast grid (two members in this JVM):
 * a client of either is a client of the same Switchboard — logins, rooms, image rooms and topics.
 */
class ClusterTest {

    private static final String USERS = "alice:{noop}pw:user,bob:{noop}pw:user,carol:{noop}pw:user,olga:{noop}pw:operator|user";

    private static RunningServer a;
    private static RunningServer b;
    private static String clusterName;
    private static String clusterMembers;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "cluster-test-" + ProcessHandle.current().pid();
        clusterName = name;
        clusterMembers = members;
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(name, portA, members));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(name, portB, members));
        a = startA.get();
        b = startB.get();
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> members(a) == 2 && members(b) == 2);
    }

    private static RunningServer node(String name, int gridPort, String members) {
        return RunningServer.start(Map.of("cluster", "on", "cluster.name", name, "cluster.port",
                Integer.toString(gridPort), "cluster.members", members, "security", "on",
                "security.users", USERS));
    }

    private static int members(RunningServer node) {
        return GridNodes.members(node.http("health"));
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }


    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Logs in on {@code node}: the session cookie, valid on every node. */
    private static Map<String, String> login(RunningServer node, String user) throws Exception {
        return login(node.http("login"), user);
    }

    private static Map<String, String> login(java.net.URI loginUrl, String user) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(loginUrl)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=pw&next=chat.html"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, response.statusCode());
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return Map.of("Cookie", setCookie.substring(0, setCookie.indexOf(';')));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject next(WsClient client, String type) throws InterruptedException {
        while (true) {
            JsonObject message = json(client.nextText());
            if (message.getString("type").equals(type)) {
                return message;
            }
        }
    }

    @Test
    void healthShowsBothMembersAndThisNode() throws Exception {
        JsonObject cluster = json(a.get("health").body()).getJsonObject("cluster");
        assertEquals(2, cluster.getInt("members"));
        assertTrue(!cluster.getString("node").equals(json(b.get("health").body()).getJsonObject("cluster")
                .getString("node")), "each node its own id");
        String metrics = HTTP.send(HttpRequest.newBuilder(a.http("metrics")).header("Authorization", "Basic "
                + java.util.Base64.getEncoder().encodeToString("olga:pw".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("node=\"" + cluster.getString("node") + "\""), "metrics carry the node label");
    }

    @Test
    void aLoginOnOneNodeIsValidOnTheOtherAndALogoutEndsItOnBoth() throws Exception {
        Map<String, String> cookie = login(a, "carol");
        try (WsClient echo = WsClient.connect(b.ws("echo"), cookie)) {
            assertEquals("hi", echo.sendText("hi").nextText());
        }
        HTTP.send(HttpRequest.newBuilder(b.http("logout")).header("Cookie", cookie.get("Cookie"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(401, WsClient.refusal(a.ws("echo"), cookie).statusCode());
    }

    @Test
    void aRoomMessageReachesMembersOnBothNodesWithOneIdAndOneOffset() throws Exception {
        String room = "lobby" + System.nanoTime() % 100_000;
        try (WsClient alice = WsClient.connect(a.ws("chat/" + room), login(a, "alice"));
             WsClient bob = WsClient.connect(b.ws("chat/" + room), login(a, "bob"))) {
            alice.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
            JsonObject aliceWelcome = next(alice, "welcome");
            bob.sendText("{\"type\":\"join\",\"nick\":\"bob\"}");
            JsonObject bobWelcome = next(bob, "welcome");
            assertEquals(aliceWelcome.getString("epoch"), bobWelcome.getString("epoch"), "one log for the room");
            for (int i = 1; i <= 3; i++) {
                (i % 2 == 1 ? alice : bob).sendText("{\"type\":\"message\",\"text\":\"hello " + i + "\"}");
                JsonObject atAlice = next(alice, "message");
                JsonObject atBob = next(bob, "message");
                assertEquals("hello " + i, atBob.getString("text"));
                assertEquals(atAlice.getString("id"), atBob.getString("id"));
                assertEquals(atAlice.getJsonNumber("offset").longValue(), atBob.getJsonNumber("offset").longValue());
                assertEquals(bobWelcome.getJsonNumber("offset").longValue() + i, atBob.getJsonNumber("offset").longValue());
            }
        }
        // a newcomer on either node gets the same history
        try (WsClient carol = WsClient.connect(b.ws("chat/" + room), login(b, "carol"))) {
            carol.sendText("{\"type\":\"join\",\"nick\":\"carol\"}");
            JsonObject welcome = next(carol, "welcome");
            assertEquals(3, welcome.getJsonArray("history").size());
            assertEquals("hello 3", welcome.getJsonArray("history").getJsonObject(2).getString("text"));
        }
    }

    private static JsonObject join(WsClient client, String nick) throws InterruptedException {
        client.sendText("{\"type\":\"join\",\"nick\":\"" + nick + "\"}");
        return next(client, "welcome");
    }

    private static java.util.List<String> nicks(JsonObject welcome) {
        return welcome.getJsonArray("members").getValuesAs(JsonObject.class).stream().map(m -> m.getString("nick")).toList();
    }

    @Test
    void aRoomHasOneMemberListAcrossNodesAndANickIsUniqueInTheCluster() throws Exception {
        String room = "members" + System.nanoTime() % 100_000;
        Map<String, String> alice = login(a, "alice");
        try (WsClient onA = WsClient.connect(a.ws("chat/" + room), alice);
             WsClient bob = WsClient.connect(b.ws("chat/" + room), login(b, "bob"))) {
            join(onA, "alice");
            assertEquals(java.util.List.of("alice", "bob"), nicks(join(bob, "bob")), "the welcome lists both nodes' members");
            JsonObject arrived = next(onA, "presence");
            assertEquals("bob", arrived.getString("nick"));
            try (WsClient again = WsClient.connect(b.ws("chat/" + room), alice)) {
                again.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
                JsonObject refused = next(again, "error");
                assertEquals("nick-taken", refused.getString("code"), "alice is in the room on the other node");
            }
            onA.sendText("{\"type\":\"private\",\"to\":\"bob\",\"text\":\"psst\"}");
            JsonObject whisper = next(bob, "private");
            assertEquals("psst", whisper.getString("text"));
            assertEquals("alice", whisper.getString("from"));
            onA.closeNormally();
            JsonObject left = next(bob, "presence");
            assertEquals("alice", left.getString("nick"));
            assertEquals("unavailable", left.getString("presence"));
        }
    }

    @Test
    void aLateNodeGetsTheRoomAndTheMembersOfAKilledNodeAreUnavailableWithin15Seconds() throws Exception {
        String room = "crash" + System.nanoTime() % 100_000;
        try (WsClient alice = WsClient.connect(a.ws("chat/" + room), login(a, "alice"))) {
            join(alice, "alice");
            alice.sendText("{\"type\":\"message\",\"text\":\"before the third node\"}");
            next(alice, "message");
            int gridPort = GridNodes.freePort();
            try (dev.switchboard.testing.ServerProcess c = dev.switchboard.testing.ServerProcess.start(Map.of(
                    "cluster", "on", "cluster.name", clusterName, "cluster.port", Integer.toString(gridPort),
                    "cluster.members", clusterMembers + ",127.0.0.1:" + gridPort, "security", "on",
                    "security.users", USERS))) {
                Await.until("three members", Duration.ofSeconds(90), () -> members(a) == 3);
                WsClient carol = WsClient.connect(c.ws("chat/" + room), login(c.http("login"), "carol"));
                JsonObject welcome = join(carol, "carol");
                assertEquals(java.util.List.of("alice", "carol"), nicks(welcome), "the late node knows who is there");
                assertEquals("before the third node", welcome.getJsonArray("history").getJsonObject(0).getString("text"));
                assertEquals("carol", next(alice, "presence").getString("nick"));
                long killed = System.nanoTime();
                c.kill();
                JsonObject gone = json(alice.next(Duration.ofSeconds(30)).text());
                long seconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
                assertEquals("carol", gone.getString("nick"));
                assertEquals("unavailable", gone.getString("presence"));
                assertTrue(seconds < 15, "reported after " + seconds + " s");
                carol.close();
            }
            Await.until("two members again", Duration.ofSeconds(30), () -> members(a) == 2);
            alice.sendText("{\"type\":\"message\",\"text\":\"after\"}");
            assertEquals("after", next(alice, "message").getString("text"));
        }
    }

    @Test
    void anImageReachesViewersOnTheOtherNode() throws Exception {
        String room = "gallery" + System.nanoTime() % 100_000;
        byte[] png = TestImages.png(64, 48);
        try (WsClient sender = WsClient.connect(a.ws("images/" + room), login(b, "alice"));
             WsClient viewer = WsClient.connect(b.ws("images/" + room), login(a, "bob"))) {
            next(sender, "welcome");
            next(viewer, "welcome");
            sender.sendBinary(png);
            JsonObject ack = next(sender, "ack");
            JsonObject image = next(viewer, "image");
            assertEquals(ack.getString("id"), image.getString("id"));
            assertEquals(ack.getJsonNumber("offset").longValue(), image.getJsonNumber("offset").longValue());
            assertArrayEquals(png, viewer.next().binary());
        }
    }

    @Test
    void aTopicMessageReachesSubscribersOnTheOtherNode() throws Exception {
        String topic = "/topic/prices" + System.nanoTime() % 100_000;
        try (WsClient subscriber = WsClient.connect(b.ws("stomp"));
             WsClient publisher = WsClient.connect(a.ws("stomp"))) {
            subscriber.sendText("CONNECT\naccept-version:1.2\nhost:b\nlogin:bob\npasscode:pw\n\n\0SUBSCRIBE\nid:s1\ndestination:" + topic
                    + "\nreceipt:r1\n\n\0");
            String connected = subscriber.nextText();
            assertTrue(connected.startsWith("CONNECTED"), connected);
            String receipt = connected.contains("RECEIPT") ? connected : subscriber.nextText();
            assertTrue(receipt.contains("receipt-id:r1"), receipt);
            publisher.sendText("CONNECT\naccept-version:1.2\nhost:a\nlogin:alice\npasscode:pw\n\n\0SEND\ndestination:" + topic
                    + "\n\nfrom node A\0");
            String message = subscriber.nextText();
            while (!message.startsWith("MESSAGE")) {
                message = subscriber.nextText();
            }
            assertTrue(message.endsWith("from node A\0"), message);
            assertTrue(message.contains("\nx-offset:"), message);
        }
    }
}
