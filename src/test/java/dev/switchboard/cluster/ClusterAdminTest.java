package dev.switchboard.cluster;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * admin/connections on two nodes of one grid: either node lists both nodes' connections (each with
 * its node), pages run across the nodes, a DELETE on one node closes a connection held by the
 * other with 1008, and health/ready is READY on both members.
 */
class ClusterAdminTest {

    private static final String USERS = "alice:{noop}pw:user,olga:{noop}pw:operator|user";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static RunningServer a;
    private static RunningServer b;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "cluster-admin-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(name, portA, members));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(name, portB, members));
        a = startA.get();
        b = startB.get();
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> GridNodes.members(a.http("health")) == 2 && GridNodes.members(b.http("health")) == 2);
    }

    private static RunningServer node(String name, int gridPort, String members) {
        return RunningServer.start(Map.of("cluster", "on", "cluster.name", name, "cluster.port",
                Integer.toString(gridPort), "cluster.members", members, "security", "on", "security.users", USERS));
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

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> send(URI uri, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).header("Authorization", basic("olga"))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject list(RunningServer node, String query) {
        try {
            HttpResponse<String> answer = send(node.http("admin/connections" + query), "GET");
            assertEquals(200, answer.statusCode(), answer.body());
            return Json.createReader(new StringReader(answer.body())).readObject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonObject> connections(JsonObject listing) {
        return listing.getJsonArray("connections").stream().map(JsonValue::asJsonObject).toList();
    }

    private static String health(RunningServer node) {
        try {
            return node.get("health").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nodeOf(RunningServer node) {
        return Json.createReader(new StringReader(health(node))).readObject().getJsonObject("cluster").getString("node");
    }

    @Test
    void eitherNodeListsBothNodesConnectionsAndClosesOneOnTheOtherNode() throws Exception {
        String room = "adm" + System.nanoTime() % 100_000;
        Map<String, String> alice = Map.of("Authorization", basic("alice"));
        try (WsClient onA = WsClient.connect(a.ws("chat/" + room + "-a"), alice);
             WsClient onB = WsClient.connect(b.ws("chat/" + room + "-b"), alice)) {
            String nodeA = nodeOf(a);
            String nodeB = nodeOf(b);
            assertNotEquals(nodeA, nodeB);
            for (RunningServer asked : List.of(a, b)) {
                JsonObject listing = list(asked, "?q=" + room);
                assertEquals(2, listing.getInt("total"), listing.toString());
                assertEquals(List.of(), listing.getJsonArray("missing").getValuesAs(JsonValue::toString));
                Map<String, String> nodeByPath = new java.util.HashMap<>();
                connections(listing).forEach(c -> nodeByPath.put(c.getString("path"), c.getString("node")));
                assertEquals(Map.of("/chat/" + room + "-a", nodeA, "/chat/" + room + "-b", nodeB), nodeByPath,
                        "each connection with the node that holds it");
                assertEquals(2, listing.getJsonArray("nodes").size(), "both nodes counted");
            }
            Set<String> paged = new HashSet<>();
            for (int offset = 0; offset < 2; offset++) {
                List<JsonObject> page = connections(list(a, "?q=" + room + "&limit=1&offset=" + offset));
                assertEquals(1, page.size());
                paged.add(page.get(0).getString("node"));
            }
            assertEquals(Set.of(nodeA, nodeB), paged, "one page per node: the listing runs across the nodes");

            String idOnB = connections(list(a, "?q=" + room + "-b")).get(0).getString("id");
            HttpResponse<String> closed = send(a.http("admin/connections/" + idOnB), "DELETE");
            assertEquals(204, closed.statusCode(), closed.body());
            assertEquals(new WsClient.Close(1008, "closed by operator"), onB.awaitClose(), "closed by its own node, B");
            assertEquals(404, send(a.http("admin/connections/" + idOnB), "DELETE").statusCode(), "then unknown");
            assertEquals(404, send(b.http("admin/connections/no-such-connection"), "DELETE").statusCode());
            Await.until("B's connection gone from A's listing", () -> list(a, "?q=" + room).getInt("total") == 1);
            assertTrue(!onA.isClosed(), "A's connection stays");
        }
    }

    @Test
    void bothMembersAreReady() throws Exception {
        for (RunningServer node : List.of(a, b)) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(node.http("health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
        }
    }
}
