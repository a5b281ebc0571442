package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.ServerProcess;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The remote console on two standalone nodes with {@code cluster=on} (two grid members in this
 * JVM), and a third in a process of its own that is killed: an operator on either node lists and
 * drives the targets of every node. The nodes' eval timeouts differ on purpose — A's is short (a
 * silent target's {@code timeout} comes quickly), B's is long (a killed node's target must be
 * {@code detached} before any timeout could answer for it).
 */
class ClusterConsoleTest {

    private static final String USERS = "alice:{noop}pw:user,olga:{noop}pw:operator|user";
    private static final Duration A_TIMEOUT = Duration.ofSeconds(3);
    /** A killed node's targets are gone from every list, and their evals detached, within this. */
    private static final Duration DEAD_NODE_BOUND = Duration.ofSeconds(15);

    private static RunningServer a;
    private static RunningServer b;
    private static String clusterName;
    private static String clusterMembers;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        clusterMembers = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        clusterName = "cluster-console-test-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(portA, "3s"));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(portB, "60s"));
        a = startA.get();
        b = startB.get();
        Await.until("both nodes in one grid", Duration.ofSeconds(60), () -> members(a) == 2 && members(b) == 2);
    }

    private static Map<String, String> keys(int gridPort, String members, String evalTimeout) {
        return Map.of("cluster", "on", "cluster.name", clusterName, "cluster.port", Integer.toString(gridPort),
                "cluster.members", members, "security", "on", "security.users", USERS,
                "console.eval-timeout", evalTimeout);
    }

    private static RunningServer node(int gridPort, String evalTimeout) {
        return RunningServer.start(keys(gridPort, clusterMembers, evalTimeout));
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

    private static Map<String, String> login(URI loginUrl, String user) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(loginUrl)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=pw&next=console.html"))
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

    private static WsClient operator(URI console) throws Exception {
        WsClient operator = WsClient.connect(console, login(a.http("login"), "olga"));
        operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
        next(operator, "attached");
        return operator;
    }

    /** Attaches a target; its id. */
    private static String attachTarget(WsClient target, String label) throws InterruptedException {
        target.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"" + label + "\"}");
        return next(target, "attached").getString("id");
    }

    private static WsClient target(URI console) throws Exception {
        return WsClient.connect(console, login(b.http("login"), "alice"));
    }

    private static List<String> ids(JsonObject targets) {
        return targets.getJsonArray("targets").getValuesAs(JsonObject.class).stream().map(t -> t.getString("id")).toList();
    }

    /** Target lists until one that satisfies {@code wanted} (each list within the client's 10 s). */
    private static JsonObject listUntil(WsClient operator, Predicate<List<String>> wanted) throws InterruptedException {
        while (true) {
            JsonObject targets = next(operator, "targets");
            if (wanted.test(ids(targets))) {
                return targets;
            }
        }
    }

    @Test
    void anOperatorOnASeesATargetAttachedOnBAndItsLeaving() throws Exception {
        try (WsClient operator = operator(a.ws("console"))) {
            WsClient target = target(b.ws("console"));
            String id = attachTarget(target, "on node B");
            JsonObject listed = listUntil(operator, ids -> ids.contains(id)).getJsonArray("targets")
                    .getValuesAs(JsonObject.class).stream().filter(t -> t.getString("id").equals(id)).findFirst().orElseThrow();
            assertEquals("on node B", listed.getString("label"));
            assertTrue(listed.getJsonNumber("since").longValue() > 0);
            target.closeNormally();
            target.close();
            listUntil(operator, ids -> !ids.contains(id));
        }
        // a newcomer on B gets a list with A's targets in it at once
        try (WsClient onA = target(a.ws("console")); WsClient operator = operator(b.ws("console"))) {
            String id = attachTarget(onA, "on node A");
            listUntil(operator, ids -> ids.contains(id));
            try (WsClient late = operator(b.ws("console"))) {
                // operator() took "attached"; the first list follows it
                assertTrue(ids(next(late, "targets")).contains(id), "the first list has the other node's target");
            }
        }
    }

    @Test
    void anEvalFromAIsAnsweredByTargetsOnBothNodes() throws Exception {
        try (WsClient operator = operator(a.ws("console"));
             WsClient onA = target(a.ws("console"));
             WsClient onB = target(b.ws("console"))) {
            String idA = attachTarget(onA, "A");
            String idB = attachTarget(onB, "B");
            listUntil(operator, ids -> ids.containsAll(List.of(idA, idB)));
            long sent = System.nanoTime();
            operator.sendText("{\"type\":\"eval\",\"id\":\"q1\",\"code\":\"6*7\",\"to\":[\"" + idA + "\",\"" + idB + "\"]}");
            JsonObject pending = next(operator, "pending");
            assertEquals("q1", pending.getString("id"));
            assertEquals(2, pending.getInt("targets"));
            for (WsClient target : List.of(onA, onB)) {
                JsonObject eval = next(target, "eval");
                assertEquals("6*7", eval.getString("code"));
                target.sendText("{\"type\":\"result\",\"id\":\"" + eval.getString("id") + "\",\"value\":\"42 from "
                        + (target == onA ? idA : idB) + "\"}");
            }
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                JsonObject result = next(operator, "result");
                assertEquals("q1", result.getString("id"));
                values.put(result.getString("target"), result.getString("value"));
            }
            long millis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
            assertEquals(Map.of(idA, "42 from " + idA, idB, "42 from " + idB), values);
            System.out.println("ClusterConsoleTest: an eval answered by a target on each node in " + millis + " ms");
            // nothing more for this request: no third result, no timeout later
            operator.sendText("{\"type\":\"eval\",\"id\":\"q2\",\"code\":\"1\",\"to\":[]}");
            JsonObject after = json(operator.nextText());
            assertEquals("pending", after.getString("type"), "the next message is q2's, not a stray result: " + after);
            assertEquals(0, after.getInt("targets"));
        }
    }

    @Test
    void aSilentTargetOnBGivesTimeoutAtTheOperatorsNode() throws Exception {
        try (WsClient operator = operator(a.ws("console")); WsClient silent = target(b.ws("console"))) {
            String id = attachTarget(silent, "silent");
            listUntil(operator, ids -> ids.contains(id));
            long sent = System.nanoTime();
            operator.sendText("{\"type\":\"eval\",\"id\":\"q\",\"code\":\"while(true){}\",\"to\":[\"" + id + "\"]}");
            assertEquals(1, next(operator, "pending").getInt("targets"));
            JsonObject eval = next(silent, "eval");
            JsonObject result = next(operator, "result");
            long millis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
            assertEquals(id, result.getString("target"));
            assertEquals("timeout", result.getString("error"));
            assertTrue(millis >= A_TIMEOUT.toMillis() - 100, "timed out after " + millis + " ms");
            silent.sendText("{\"type\":\"result\",\"id\":\"" + eval.getString("id") + "\",\"value\":\"late\"}");
            operator.sendText("{\"type\":\"eval\",\"id\":\"q2\",\"code\":\"1\",\"to\":[]}");
            JsonObject after = json(operator.nextText());
            assertEquals("pending", after.getString("type"), "a late answer is dropped: " + after);
        }
    }

    @Test
    void aTargetOnAKilledNodeLeavesTheListAndItsEvalIsDetached() throws Exception {
        int gridPort = GridNodes.freePort();
        try (WsClient operator = operator(b.ws("console"));
             ServerProcess c = ServerProcess.start(keys(gridPort, clusterMembers + ",127.0.0.1:" + gridPort, "60s"))) {
            Await.until("three members", Duration.ofSeconds(90), () -> members(a) == 3 && members(b) == 3);
            WsClient onC = WsClient.connect(c.ws("console"), login(c.http("login"), "alice"));
            String id = attachTarget(onC, "on node C");
            listUntil(operator, ids -> ids.contains(id));
            operator.sendText("{\"type\":\"eval\",\"id\":\"q\",\"code\":\"1+1\",\"to\":[\"" + id + "\"]}");
            assertEquals(1, next(operator, "pending").getInt("targets"));
            next(onC, "eval"); // it got there, and will never answer
            long killed = System.nanoTime();
            c.kill();
            boolean detached = false;
            boolean unlisted = false;
            while (!detached || !unlisted) {
                JsonObject message = json(operator.next(DEAD_NODE_BOUND).text());
                if (message.getString("type").equals("result")) {
                    assertEquals(id, message.getString("target"));
                    assertEquals("detached", message.getString("error"));
                    detached = true;
                } else if (message.getString("type").equals("targets") && !ids(message).contains(id)) {
                    unlisted = true;
                }
            }
            long millis = Duration.ofNanos(System.nanoTime() - killed).toMillis();
            System.out.println("ClusterConsoleTest: a killed node's target detached and unlisted after " + millis + " ms");
            assertTrue(millis < DEAD_NODE_BOUND.toMillis(), "after " + millis + " ms");
            onC.close();
            assertTrue(Set.copyOf(ids(listUntilNow(a))).stream().noneMatch(id::equals), "A no longer lists it either");
        }
        Await.until("two members again", Duration.ofSeconds(30), () -> members(a) == 2);
    }

    /** The list an operator attaching now on {@code node} gets. */
    private static JsonObject listUntilNow(RunningServer node) throws Exception {
        try (WsClient operator = operator(node.ws("console"))) {
            return next(operator, "targets");
        }
    }
}
