package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.ServerProcess;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XMPP on two standalone nodes with {@code cluster=on} (two grid members in this JVM), security
 * off: a user on either node sees the others' presence, messages and IQs reach a bare or full JID
 * on the other node, an address bound anywhere is taken everywhere, an account coming online on
 * either node is pushed to the rosters on both (once, whatever its resources), and the resources of
 * a killed third node are unavailable for the rest. Clients are RFC 7395 streams over a plain WebSocket.
 */
class ClusterXmppTest {

    private static final Map<String, String> XMPP = Map.of("Sec-WebSocket-Protocol", "xmpp");
    private static final String OPEN = "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"localhost\" version=\"1.0\"/>";
    private static final AtomicInteger USERS = new AtomicInteger();

    private static RunningServer a;
    private static RunningServer b;
    private static String clusterName;
    private static String clusterMembers;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        clusterMembers = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        clusterName = "cluster-xmpp-test-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(portA));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(portB));
        a = startA.get();
        b = startB.get();
        Await.until("both nodes in one grid", Duration.ofSeconds(60), () -> members(a.http("health")) == 2
                && members(b.http("health")) == 2);
    }

    private static RunningServer node(int gridPort) {
        return RunningServer.start(Map.of("cluster", "on", "cluster.name", clusterName, "cluster.port",
                Integer.toString(gridPort), "cluster.members", clusterMembers));
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


    private static int members(URI health) {
        return GridNodes.members(health);
    }

    /** A user name no other test uses. */
    private static String user(String name) {
        return name + USERS.incrementAndGet();
    }

    /** One client stream, logged in (PLAIN: security is off) and bound. */
    private static final class Client implements AutoCloseable {
        final WsClient ws;
        final String jid;

        private Client(WsClient ws, String jid) {
            this.ws = ws;
            this.jid = jid;
        }

        static Client bound(URI xmpp, String user, String resource) throws InterruptedException {
            WsClient ws = WsClient.connect(xmpp, XMPP);
            ws.sendText(OPEN);
            assertTrue(ws.nextText().startsWith("<open "));
            assertTrue(ws.nextText().contains("<mechanisms"));
            String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0x").getBytes(StandardCharsets.UTF_8));
            ws.sendText("<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">" + plain + "</auth>");
            assertTrue(ws.nextText().startsWith("<success"));
            ws.sendText(OPEN);
            ws.nextText();
            assertTrue(ws.nextText().contains("<bind"));
            ws.sendText("<iq xmlns=\"jabber:client\" type=\"set\" id=\"b\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\">"
                    + "<resource>" + resource + "</resource></bind></iq>");
            String bound = ws.nextText();
            Matcher jid = Pattern.compile("<jid>([^<]+)</jid>").matcher(bound);
            assertTrue(jid.find(), bound);
            return new Client(ws, jid.group(1));
        }

        Client send(String stanza) {
            ws.sendText(stanza);
            return this;
        }

        Client available(int priority) {
            return send("<presence xmlns=\"jabber:client\"><priority>" + priority + "</priority></presence>");
        }

        /** The next stanza containing every one of {@code parts}; the others are skipped. */
        String await(String... parts) throws InterruptedException {
            List<String> seen = until(parts);
            return seen.get(seen.size() - 1);
        }

        /** Every stanza up to the next one containing every one of {@code parts}, that one last. */
        List<String> until(String... parts) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(jid + " got no stanza with " + String.join(", ", parts) + " after " + seen);
                }
                String stanza = ws.next(Duration.ofNanos(left)).text();
                boolean all = stanza != null;
                for (String part : parts) {
                    all &= stanza != null && stanza.contains(part);
                }
                if (stanza != null) {
                    seen.add(stanza);
                }
                if (all) {
                    return seen;
                }
            }
        }

        /** The stanzas up to the last of {@code bodies} to arrive, each a message body, in whatever order they come. */
        List<String> untilBodies(String... bodies) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            java.util.Set<String> missing = new java.util.HashSet<>(List.of(bodies));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!missing.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(jid + " got no message with " + missing + " after " + seen);
                }
                String stanza = ws.next(Duration.ofNanos(left)).text();
                seen.add(stanza);
                if (stanza.startsWith("<message")) {
                    missing.removeIf(body -> stanza.contains("<body>" + body + "</body>"));
                }
            }
            return seen;
        }

        /** Asks for the roster (from now on the session gets roster pushes); returns the answer. */
        String roster(String id) throws InterruptedException {
            send("<iq xmlns=\"jabber:client\" type=\"get\" id=\"" + id + "\"><query xmlns=\"jabber:iq:roster\"/></iq>");
            return await("id=\"" + id + "\"");
        }

        @Override
        public void close() {
            ws.close();
        }
    }

    @Test
    void usersOnTwoNodesSeeEachOthersPresenceAndAreInEachOthersRoster() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (Client onA = Client.bound(a.ws("xmpp"), alice, "web");
             Client onB = Client.bound(b.ws("xmpp"), bob, "phone")) {
            onA.available(1);
            onA.await("<presence", "from=\"" + onA.jid + "\"");
            // bob's first presence brings everyone's current one, alice's from the other node included
            onB.send("<presence xmlns=\"jabber:client\"><status>on B</status></presence>");
            String snapshot = onB.await("<presence", "from=\"" + onA.jid + "\"");
            assertTrue(snapshot.contains("<priority>1</priority>"), snapshot);
            assertTrue(onA.await("<presence", "from=\"" + onB.jid + "\"").contains("<status>on B</status>"));
            onB.send("<presence xmlns=\"jabber:client\"><show>away</show></presence>");
            assertTrue(onA.await("<presence", "from=\"" + onB.jid + "\"", "<show>").contains("<show>away</show>"));
            // a probe from A is answered with B's resource's presence
            onA.send("<presence xmlns=\"jabber:client\" type=\"probe\" to=\"" + bob + "@localhost\"/>");
            assertTrue(onA.await("<presence", "from=\"" + onB.jid + "\"").contains("<show>away</show>"));
            // security off: everyone online is a contact, on whichever node
            onA.send("<iq xmlns=\"jabber:client\" type=\"get\" id=\"r1\"><query xmlns=\"jabber:iq:roster\"/></iq>");
            assertTrue(onA.await("id=\"r1\"").contains("jid=\"" + bob + "@localhost\""));
            onB.send("<iq xmlns=\"jabber:client\" type=\"get\" id=\"r2\"><query xmlns=\"jabber:iq:roster\"/></iq>");
            assertTrue(onB.await("id=\"r2\"").contains("jid=\"" + alice + "@localhost\""));
            onB.send("<presence xmlns=\"jabber:client\" type=\"unavailable\"><status>bye</status></presence>");
            assertTrue(onA.await("<presence", "from=\"" + onB.jid + "\"", "unavailable").contains("<status>bye</status>"));
        }
    }

    @Test
    void messagesAndIqsReachABareOrAFullJidOnTheOtherNode() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (Client onA = Client.bound(a.ws("xmpp"), alice, "web");
             Client bobOnB = Client.bound(b.ws("xmpp"), bob, "laptop");
             Client bobOnA = Client.bound(a.ws("xmpp"), bob, "pager")) {
            onA.available(0);
            bobOnB.available(0);
            bobOnA.available(-1); // available, but a bare JID's messages never go to a negative priority
            // each one's own presence comes back to it once everyone can see it (RFC 6121 §4.2.2)
            bobOnB.await("<presence", "from=\"" + bobOnB.jid + "\"");
            bobOnA.await("<presence", "from=\"" + bobOnA.jid + "\"");

            onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"m1\" to=\"" + bob + "@localhost\"><body>to the bare JID</body></message>");
            String bare = bobOnB.await("<message", "to the bare JID");
            assertTrue(bare.contains("from=\"" + onA.jid + "\"") && bare.contains("to=\"" + bobOnB.jid + "\""), bare);

            onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"m2\" to=\"" + bobOnB.jid + "\"><body>to the full JID</body></message>");
            assertTrue(bobOnB.await("<message", "to the full JID").contains("to=\"" + bobOnB.jid + "\""));
            // the pager (priority -1) got neither: the first message it sees is the one to its own full JID
            onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"m3\" to=\"" + bobOnA.jid + "\"><body>to the pager</body></message>");
            assertTrue(bobOnA.await("<message").contains("to the pager"));

            // an IQ to a full JID on the other node, and its result back
            bobOnB.send("<iq xmlns=\"jabber:client\" type=\"get\" id=\"v1\" to=\"" + onA.jid + "\"><query xmlns=\"jabber:iq:version\"/></iq>");
            String iq = onA.await("<iq", "id=\"v1\"");
            assertTrue(iq.contains("from=\"" + bobOnB.jid + "\"") && iq.contains("type=\"get\""), iq);
            onA.send("<iq xmlns=\"jabber:client\" type=\"result\" id=\"v1\" to=\"" + bobOnB.jid + "\"/>");
            String result = bobOnB.await("<iq", "id=\"v1\"");
            assertTrue(result.contains("type=\"result\"") && result.contains("from=\"" + onA.jid + "\""), result);

            // one sender's messages across nodes keep their order
            for (int i = 0; i < 50; i++) {
                onA.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + bob + "@localhost\"><body>n" + i + ".</body></message>");
            }
            for (int i = 0; i < 50; i++) {
                String next = bobOnB.await("<message", "<body>n");
                assertTrue(next.contains("<body>n" + i + ".</body>"), "message " + i + " out of order: " + next);
            }

            // B's answer to A's message (a reply to the full JID it came from)
            bobOnB.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + onA.jid + "\"><body>back</body></message>");
            assertTrue(onA.await("<message", "back").contains("from=\"" + bobOnB.jid + "\""));
        }
    }

    @Test
    void toSomeoneOnlineNowhereIsServiceUnavailableAndAnEndedStreamIsGoneEverywhere() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (Client onA = Client.bound(a.ws("xmpp"), alice, "web")) {
            onA.available(0);
            onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"x1\" to=\"nobody" + alice + "@localhost\"><body>hello?</body></message>");
            assertTrue(onA.await("id=\"x1\"").contains("<service-unavailable"));
            String bobJid;
            try (Client onB = Client.bound(b.ws("xmpp"), bob, "phone")) {
                onB.available(0);
                bobJid = onB.jid;
                onA.await("<presence", "from=\"" + bobJid + "\"");
                onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"x2\" to=\"" + bob + "@localhost\"><body>here</body></message>");
                onB.await("<message", "here");
                onB.ws.closeNormally();
                onA.await("<presence", "from=\"" + bobJid + "\"", "unavailable");
            }
            onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"x3\" to=\"" + bob + "@localhost\"><body>still?</body></message>");
            assertTrue(onA.await("id=\"x3\"").contains("<service-unavailable"));
            onA.send("<iq xmlns=\"jabber:client\" type=\"get\" id=\"x4\" to=\"" + bobJid + "\"><ping xmlns=\"urn:xmpp:ping\"/></iq>");
            String refused = onA.await("id=\"x4\"");
            assertTrue(refused.contains("type=\"error\"") && refused.contains("<service-unavailable"), refused);
        }
    }

    /** What identifies a roster push (RFC 6121 §2.1.6) of this user. */
    private static String[] rosterPush(String user) {
        return new String[] {"<iq", "type=\"set\"", "jabber:iq:roster", "jid=\"" + user + "@localhost\""};
    }

    private static long rosterPushes(List<String> stanzas, String user) {
        return stanzas.stream().filter(s -> Arrays.stream(rosterPush(user)).allMatch(s::contains)).count();
    }

    @Test
    void anAccountComingOnlineOnOneNodeIsPushedToRostersOnBothOnceNotPerResource() throws Exception {
        String alice = user("alice");
        String carol = user("carol");
        String bob = user("bob");
        try (Client aliceOnA = Client.bound(a.ws("xmpp"), alice, "web");
             Client carolOnB = Client.bound(b.ws("xmpp"), carol, "web")) {
            assertTrue(aliceOnA.roster("r1").contains("jid=\"" + carol + "@localhost\""));
            carolOnB.roster("r2");
            try (Client bobOnB = Client.bound(b.ws("xmpp"), bob, "phone")) {
                // bob's first resource in the cluster, on B: the push reaches A's session as B's
                String push = aliceOnA.await(rosterPush(bob));
                assertTrue(push.contains("to=\"" + aliceOnA.jid + "\"") && push.contains("subscription=\"both\""), push);
                carolOnB.await(rosterPush(bob));
                try (Client bobOnA = Client.bound(a.ws("xmpp"), bob, "desk");
                     Client bobAgainOnB = Client.bound(b.ws("xmpp"), bob, "tablet")) {
                    // more resources of bob, on either node: no push. A push would precede these messages,
                    // sent after the binds (a local one is sent during the bind; one from the other node
                    // comes on the same grid topic as the message, from the same node)
                    bobOnA.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + carolOnB.jid + "\"><body>m-a</body></message>");
                    bobOnA.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + aliceOnA.jid + "\"><body>m-a</body></message>");
                    bobAgainOnB.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + aliceOnA.jid + "\"><body>m-b</body></message>");
                    bobAgainOnB.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + carolOnB.jid + "\"><body>m-b</body></message>");
                    // the two nodes' messages may arrive in either order
                    List<String> seenOnA = aliceOnA.untilBodies("m-a", "m-b");
                    List<String> seenOnB = carolOnB.untilBodies("m-a", "m-b");
                    assertEquals(0, rosterPushes(seenOnA, bob), seenOnA.toString());
                    assertEquals(0, rosterPushes(seenOnB, bob), seenOnB.toString());
                }
            }
        }
    }

    @Test
    void firstResourcesBindingAtOnceOnBothNodesArePushedOnce() throws Exception {
        String alice = user("alice");
        String carol = user("carol");
        try (Client aliceOnA = Client.bound(a.ws("xmpp"), alice, "web");
             Client carolOnB = Client.bound(b.ws("xmpp"), carol, "web")) {
            aliceOnA.roster("r1");
            carolOnB.roster("r2");
            for (int round = 0; round < 5; round++) {
                String bob = user("bob");
                CompletableFuture<Client> onA = CompletableFuture.supplyAsync(() -> bind(a, bob));
                CompletableFuture<Client> onB = CompletableFuture.supplyAsync(() -> bind(b, bob));
                CompletableFuture.allOf(onA, onB).handle((done, failed) -> null).get();
                if (onA.isCompletedExceptionally() || onB.isCompletedExceptionally()) { // close the one bound, then fail
                    onA.thenAccept(Client::close);
                    onB.thenAccept(Client::close);
                }
                try (Client bobOnA = onA.get(); Client bobOnB = onB.get()) {
                    List<String> seenOnA = new ArrayList<>();
                    List<String> seenOnB = new ArrayList<>();
                    for (Client from : List.of(bobOnA, bobOnB)) { // after any push of its bind, on both nodes
                        from.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + aliceOnA.jid + "\"><body>m-" + from.jid + "</body></message>");
                        from.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + carolOnB.jid + "\"><body>m-" + from.jid + "</body></message>");
                        seenOnA.addAll(aliceOnA.until("<message", "<body>m-" + from.jid + "</body>"));
                        seenOnB.addAll(carolOnB.until("<message", "<body>m-" + from.jid + "</body>"));
                    }
                    assertEquals(1, rosterPushes(seenOnA, bob), seenOnA.toString());
                    assertEquals(1, rosterPushes(seenOnB, bob), seenOnB.toString());
                }
            }
        }
    }

    private static Client bind(RunningServer node, String user) {
        try {
            return Client.bound(node.ws("xmpp"), user, "r");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aResourceBoundOnOneNodeIsTakenOnTheOther() throws Exception {
        String carol = user("carol");
        try (Client onA = Client.bound(a.ws("xmpp"), carol, "desk");
             Client onB = Client.bound(b.ws("xmpp"), carol, "desk")) {
            assertEquals(carol + "@localhost/desk", onA.jid);
            assertNotEquals(onA.jid, onB.jid);
            assertTrue(onB.jid.startsWith(carol + "@localhost/desk-"), onB.jid); // RFC 6120 §7.7.2.2
        }
    }

    @Test
    void theResourcesOfAKilledNodeBecomeUnavailableForTheOthers() throws Exception {
        String alice = user("alice");
        String dave = user("dave");
        int gridPort = GridNodes.freePort();
        try (Client onA = Client.bound(a.ws("xmpp"), alice, "web");
             ServerProcess c = ServerProcess.start(Map.of("cluster", "on", "cluster.name", clusterName,
                     "cluster.port", Integer.toString(gridPort),
                     "cluster.members", clusterMembers + ",127.0.0.1:" + gridPort))) {
            onA.available(0);
            onA.roster("r1");
            long bound = System.nanoTime();
            Await.until("three members", Duration.ofSeconds(90), () -> members(a.http("health")) == 3);
            try (Client onC = Client.bound(c.ws("xmpp"), dave, "tablet")) {
                onA.await(rosterPush(dave)); // from the third node, a process of its own
                onC.available(0);
                onA.await("<presence", "from=\"" + onC.jid + "\"");
                onC.await("<presence", "from=\"" + onA.jid + "\""); // the late node's snapshot has A's user
                long killed = System.nanoTime();
                c.kill();
                String gone = onA.await("<presence", "from=\"" + onC.jid + "\"", "unavailable");
                long seconds = Duration.ofNanos(System.nanoTime() - killed).toSeconds();
                assertTrue(seconds < 15, "reported after " + seconds + " s: " + gone);
            }
            // A's resource outlives a whole lease (12 s) with its node renewing it: still reachable from B
            Await.until("a lease since alice bound", Duration.ofSeconds(30),
                    () -> System.nanoTime() - bound > GridLeases.LEASE.plusSeconds(2).toNanos());
            try (Client onB = Client.bound(b.ws("xmpp"), user("erin"), "web")) {
                onB.send("<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + alice + "@localhost\"><body>still here</body></message>");
                assertTrue(onA.await("<message", "still here").contains("from=\"" + onB.jid + "\""));
            }
            onA.send("<message xmlns=\"jabber:client\" type=\"chat\" id=\"k1\" to=\"" + dave + "@localhost\"><body>there?</body></message>");
            assertTrue(onA.await("id=\"k1\"").contains("<service-unavailable"));
            // dave went with his node: back on B, he has come online again, and is pushed again
            try (Client daveOnB = Client.bound(b.ws("xmpp"), dave, "tablet")) {
                assertTrue(onA.await(rosterPush(dave)).contains("to=\"" + onA.jid + "\""));
            }
        }
        Await.until("two members again", Duration.ofSeconds(30), () -> members(a.http("health")) == 2);
    }
}
