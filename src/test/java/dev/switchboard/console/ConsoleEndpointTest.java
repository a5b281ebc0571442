package dev.switchboard.console;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule of the contract's {@code console} section, over real connections. */
class ConsoleEndpointTest {

    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("console.eval-timeout", "300ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
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

    private static WsClient operator() throws InterruptedException {
        WsClient operator = WsClient.connect(server.ws("console"));
        operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
        assertTrue(next(operator, "attached").getString("id").startsWith("op-"));
        return operator;
    }

    private static String target(WsClient client, String label) throws InterruptedException {
        client.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"" + label + "\"}");
        return next(client, "attached").getString("id");
    }

    @Test
    void operatorEvaluatesInEveryTargetAndGetsEachAnswer() throws Exception {
        try (WsClient op = operator(); WsClient a = WsClient.connect(server.ws("console"));
             WsClient b = WsClient.connect(server.ws("console"))) {
            String idA = target(a, "a");
            String idB = target(b, "b");
            op.sendText("{\"type\":\"eval\",\"id\":\"q1\",\"code\":\"5+5\"}");
            JsonObject pending = next(op, "pending");
            assertEquals("q1", pending.getString("id"));
            assertTrue(pending.getInt("targets") >= 2);
            for (WsClient t : List.of(a, b)) {
                JsonObject eval = next(t, "eval");
                assertEquals("5+5", eval.getString("code"));
                t.sendText("{\"type\":\"result\",\"id\":\"" + eval.getString("id") + "\",\"value\":\"10\"}");
            }
            JsonObject first = next(op, "result");
            JsonObject second = next(op, "result");
            assertEquals("q1", first.getString("id"));
            assertEquals("10", first.getString("value"));
            assertEquals(java.util.Set.of(idA, idB), java.util.Set.of(first.getString("target"), second.getString("target")));
        }
    }

    @Test
    void targetListCarriesLabelUserAgentAndSince() throws Exception {
        try (WsClient op = operator(); WsClient tab = WsClient.connect(server.ws("console"))) {
            long before = System.currentTimeMillis();
            String id = target(tab, "kitchen tablet");
            JsonObject listed = null;
            while (listed == null) {
                for (var t : next(op, "targets").getJsonArray("targets")) {
                    if (t.asJsonObject().getString("id").equals(id)) {
                        listed = t.asJsonObject();
                    }
                }
            }
            assertEquals("kitchen tablet", listed.getString("label"));
            assertTrue(listed.getString("agent").contains("Java-http-client"), listed.getString("agent"));
            assertTrue(listed.getJsonNumber("since").longValue() >= before - 1000);
        }
    }

    @Test
    void silentTargetTimesOutAndLeavingTargetIsDetached() throws Exception {
        try (WsClient op = operator(); WsClient silent = WsClient.connect(server.ws("console"))) {
            String id = target(silent, "silent");
            op.sendText("{\"type\":\"eval\",\"id\":7,\"code\":\"1\",\"to\":[\"" + id + "\"]}");
            JsonObject timeout = next(op, "result");
            assertEquals("7", timeout.getString("id"));
            assertEquals("timeout", timeout.getString("error"));

            op.sendText("{\"type\":\"eval\",\"id\":\"q8\",\"code\":\"1\",\"to\":[\"" + id + "\"]}");
            next(silent, "eval");
            next(silent, "eval");
            silent.closeNormally();
            JsonObject detached = next(op, "result");
            assertEquals("q8", detached.getString("id"));
            assertEquals("detached", detached.getString("error"));
        }
    }

    @Test
    void unknownTargetIsNoSuchTargetAndBadInputIsBadRequestConnectionKept() throws Exception {
        try (WsClient op = operator()) {
            op.sendText("{\"type\":\"eval\",\"id\":\"q\",\"code\":\"1\",\"to\":[\"nobody\"]}");
            assertEquals("no-such-target", next(op, "error").getString("code"));
            for (String bad : List.of("nonsense", "{\"type\":\"eval\"}", "{\"type\":\"fly\"}", "[]",
                    "{\"type\":\"eval\",\"id\":\"q\",\"code\":\"1\",\"to\":\"x\"}")) {
                op.sendText(bad);
                assertEquals("bad-request", next(op, "error").getString("code"), bad);
            }
            op.sendText("{\"type\":\"eval\",\"id\":\"still\",\"code\":\"1\",\"to\":[]}");
            assertEquals(0, next(op, "pending").getInt("targets"), "still open and working");
        }
    }

    @Test
    void messagesBeforeAttachAreBadRequests() throws Exception {
        try (WsClient anyone = WsClient.connect(server.ws("console"))) {
            anyone.sendText("{\"type\":\"eval\",\"id\":\"q\",\"code\":\"1\"}");
            JsonObject error = next(anyone, "error");
            assertEquals("bad-request", error.getString("code"));
        }
    }

    @Test
    void targetThatSendsEvalIsForbiddenAndNothingIsForwarded() throws Exception {
        try (WsClient victim = WsClient.connect(server.ws("console")); WsClient attacker = WsClient.connect(server.ws("console"))) {
            target(victim, "victim");
            target(attacker, "attacker");
            attacker.sendText("{\"type\":\"eval\",\"id\":\"x\",\"code\":\"document.cookie\"}");
            assertEquals("forbidden", next(attacker, "error").getString("code"));
            attacker.sendText("{\"type\":\"result\",\"id\":\"e1\",\"value\":\"forged\"}"); // ignored, connection kept
            assertTrue(victim.drain().stream().noneMatch(m -> m.text().contains("\"eval\"")));
        }
    }

    @Test
    void operatorBehindAProxyIsRefusedWithForbiddenAnd1008() throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        StringBuilder received = new StringBuilder();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().header("X-Forwarded-For", "203.0.113.9")
                .buildAsync(server.ws("console"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.append(data);
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }
                }).join();
        socket.sendText("{\"type\":\"attach\",\"role\":\"operator\"}", true).join();
        assertEquals(1008, closed.get(10, TimeUnit.SECONDS));
        assertTrue(received.toString().contains("\"code\":\"forbidden\""), received.toString());
        socket.abort();
    }

    @Test
    void resultsGoOnlyToTheOperatorThatAsked() throws Exception {
        try (WsClient asking = operator(); WsClient bystander = operator(); WsClient tab = WsClient.connect(server.ws("console"))) {
            String id = target(tab, "t");
            asking.sendText("{\"type\":\"eval\",\"id\":\"mine\",\"code\":\"1\",\"to\":[\"" + id + "\"]}");
            JsonObject eval = next(tab, "eval");
            tab.sendText("{\"type\":\"result\",\"id\":\"" + eval.getString("id") + "\",\"value\":\"1\"}");
            assertEquals("mine", next(asking, "result").getString("id"));
            bystander.sendText("{\"type\":\"eval\",\"id\":\"sync\",\"code\":\"1\",\"to\":[]}");
            next(bystander, "pending");
            assertTrue(bystander.drain().stream().noneMatch(m -> m.text().contains("\"result\"")));
        }
    }
}
