package dev.switchboard.admin;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.StringReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * admin/connections over real connections: what it lists for each open WebSocket, paging and
 * filtering, DELETE's 1008 close and 404, and who may — security off (loopback only, not through a
 * proxy, not from a foreign page) and on (operator, not a user, not anonymous).
 */
class AdminConnectionsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> send(URI uri, String method, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    static List<JsonObject> connections(JsonObject listing) {
        return listing.getJsonArray("connections").stream().map(JsonValue::asJsonObject).toList();
    }

    static JsonObject byId(JsonObject listing, String id) {
        return connections(listing).stream().filter(c -> c.getString("id").equals(id)).findFirst().orElse(null);
    }

    static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":pw").getBytes(StandardCharsets.UTF_8));
    }

    /** Log lines of the admin package while a test runs. */
    static final class Captured extends Handler implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Logger logger = Logger.getLogger("dev.switchboard.admin");

        Captured() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SecurityOff {
        private RunningServer server;

        @BeforeAll
        void start() {
            server = RunningServer.start();
        }

        @AfterAll
        void stop() {
            server.close();
        }

        private JsonObject list(String query) throws Exception {
            HttpResponse<String> answer = send(server.http("admin/connections" + query), "GET", Map.of());
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("no-store", answer.headers().firstValue("Cache-Control").orElse(""));
            return json(answer.body());
        }

        private String idOf(String path, JsonObject listing) {
            return connections(listing).stream().filter(c -> c.getString("path").equals(path))
                    .map(c -> c.getString("id")).findFirst().orElseThrow(() -> new AssertionError(path + " in " + listing));
        }

        @Test
        void listsEveryOpenWebSocketWithItsCountsAndClosesOneWith1008() throws Exception {
            String room = "admin" + System.nanoTime() % 100_000;
            try (WsClient echo = WsClient.connect(server.ws("echo"), "http://127.0.0.1:" + server.port());
                 WsClient stomp = WsClient.connect(server.ws("stomp"), Map.of("Sec-WebSocket-Protocol", "v12.stomp"));
                 WsClient chat = WsClient.connect(server.ws("chat/" + room))) {
                assertEquals("hello", echo.sendText("hello").nextText());
                assertEquals("again", echo.sendText("again").nextText());
                long before = System.currentTimeMillis();
                Await.until("three connections listed, the echoes counted as sent", () -> {
                    try {
                        JsonObject now = list("");
                        return now.getInt("total") >= 3
                                && byId(now, idOf("/echo", now)).getJsonNumber("messagesOut").longValue() == 2;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                JsonObject listing = list("");
                JsonObject e = byId(listing, idOf("/echo", listing));
                assertEquals("echo", e.getString("endpoint"));
                assertEquals("local", e.getString("node"));
                assertEquals("anonymous", e.getString("user"));
                assertEquals("127.0.0.1", e.getString("remote"));
                assertEquals("http://127.0.0.1:" + server.port(), e.getString("origin"));
                assertEquals("", e.getString("subprotocol"));
                assertEquals(2, e.getJsonNumber("messagesIn").longValue());
                assertEquals(2, e.getJsonNumber("messagesOut").longValue());
                assertEquals(10, e.getJsonNumber("bytesIn").longValue());
                assertEquals(10, e.getJsonNumber("bytesOut").longValue());
                assertEquals(0, e.getJsonNumber("queuedBytes").longValue());
                assertTrue(e.getJsonNumber("since").longValue() <= before, "since: when it opened");
                for (String field : List.of("id", "node", "endpoint", "path", "user", "remote", "origin", "subprotocol",
                        "since", "messagesIn", "messagesOut", "bytesIn", "bytesOut", "queuedBytes")) {
                    assertTrue(e.containsKey(field), field);
                }
                JsonObject s = byId(listing, idOf("/stomp", listing));
                assertEquals("stomp", s.getString("endpoint"));
                assertEquals("v12.stomp", s.getString("subprotocol"));
                assertEquals("", s.getString("origin"), "no Origin header: none");
                assertEquals("chat", byId(listing, idOf("/chat/" + room, listing)).getString("endpoint"));

                String chatId = idOf("/chat/" + room, listing);
                try (Captured log = new Captured()) {
                    HttpResponse<String> closed = send(server.http("admin/connections/" + chatId), "DELETE", Map.of());
                    assertEquals(204, closed.statusCode(), closed.body());
                    assertEquals(new WsClient.Close(1008, "closed by operator"), chat.awaitClose());
                    assertTrue(log.lines.stream().anyMatch(l -> l.contains(chatId) && l.contains("anonymous@127.0.0.1")
                            && l.contains("1008")), "the close is logged with who asked: " + log.lines);
                }
                assertEquals(404, send(server.http("admin/connections/" + chatId), "DELETE", Map.of()).statusCode(),
                        "gone: 404");
                assertEquals(404, send(server.http("admin/connections/no-such-id"), "DELETE", Map.of()).statusCode());
                Await.until("the closed one is no longer listed", () -> {
                    try {
                        return byId(list(""), chatId) == null;
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                });
                assertEquals("hello", echo.sendText("hello").nextText(), "the others are untouched");
            }
        }

        @Test
        void pagesAreBoundedAndDoNotOverlapAndTheFilterNarrowsTheTotal() throws Exception {
            List<WsClient> clients = new ArrayList<>();
            try {
                String room = "paged" + System.nanoTime() % 100_000;
                for (int i = 0; i < 5; i++) {
                    clients.add(WsClient.connect(server.ws("chat/" + room + "-" + i)));
                }
                Await.until("five listed", () -> {
                    try {
                        return list("?q=" + room).getInt("total") == 5;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Set<String> seen = new HashSet<>();
                for (int offset = 0; offset < 6; offset += 2) {
                    JsonObject page = list("?q=" + room + "&limit=2&offset=" + offset);
                    assertEquals(5, page.getInt("total"));
                    assertEquals(2, page.getInt("limit"));
                    assertEquals(offset, page.getInt("offset"));
                    assertEquals(Math.min(2, 5 - offset), page.getJsonArray("connections").size());
                    connections(page).forEach(c -> assertTrue(seen.add(c.getString("id")), "no overlap"));
                }
                assertEquals(5, seen.size());
                assertEquals(1, list("?q=" + room.toUpperCase(java.util.Locale.ROOT) + "-3").getInt("total"),
                        "the filter ignores case");
                assertEquals(400, send(server.http("admin/connections?limit=5001"), "GET", Map.of()).statusCode());
                assertEquals(400, send(server.http("admin/connections?offset=-1"), "GET", Map.of()).statusCode());
                assertEquals(500, list("").getInt("limit"), "the default page");
            } finally {
                clients.forEach(WsClient::close);
            }
        }

        @Test
        void onlyFromThisMachineNotThroughAProxyNorFromAForeignPage() throws Exception {
            assertEquals(403, send(server.http("admin/connections"), "GET", Map.of("X-Forwarded-For", "203.0.113.9"))
                    .statusCode(), "a proxy's request: someone else's");
            assertEquals(403, send(server.http("admin/connections/x"), "DELETE", Map.of("Origin", "http://evil.example"))
                    .statusCode(), "another site's page in a browser here");
            assertEquals(200, send(server.http("admin/connections"), "GET", Map.of("Origin",
                    "http://127.0.0.1:" + server.port())).statusCode(), "its own page");
        }
    }

    @Test
    void withSecurityOffAnotherMachineIsRefused() throws Exception {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                .filter(address -> address instanceof Inet4Address).findFirst();
        assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address to try");
        String host = external.get().getHostAddress();
        try (RunningServer server = RunningServer.start(Map.of("host", host, "server-names", host))) {
            URI admin = URI.create("http://" + host + ":" + server.port() + "/admin/connections");
            assertEquals(403, send(admin, "GET", Map.of()).statusCode(), "from " + host + ", not loopback");
            assertEquals(200, send(URI.create("http://" + host + ":" + server.port() + "/health"), "GET", Map.of())
                    .statusCode(), "the server itself answers that address");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SecurityOn {
        private RunningServer server;

        @BeforeAll
        void start() {
            server = RunningServer.start(Map.of("security", "on",
                    "security.users", "alice:{noop}pw:user,olga:{noop}pw:operator|user"));
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void operatorsOnlyAndTheCloseIsLoggedWithTheirName() throws Exception {
            try (WsClient alice = WsClient.connect(server.ws("echo"), Map.of("Authorization", basic("alice")))) {
                assertEquals("hi", alice.sendText("hi").nextText());
                assertEquals(401, send(server.http("admin/connections"), "GET", Map.of()).statusCode(), "anonymous");
                HttpResponse<String> user = send(server.http("admin/connections"), "GET", Map.of("Authorization", basic("alice")));
                assertEquals(403, user.statusCode(), "a user");
                HttpResponse<String> operator = send(server.http("admin/connections"), "GET",
                        Map.of("Authorization", basic("olga")));
                assertEquals(200, operator.statusCode());
                JsonArray listed = json(operator.body()).getJsonArray("connections");
                assertEquals(1, listed.size());
                JsonObject only = listed.getJsonObject(0);
                assertEquals("alice", only.getString("user"));
                String id = only.getString("id");
                assertEquals(401, send(server.http("admin/connections/" + id), "DELETE", Map.of()).statusCode());
                assertEquals(403, send(server.http("admin/connections/" + id), "DELETE",
                        Map.of("Authorization", basic("alice"))).statusCode());
                assertFalse(alice.isClosed(), "refused DELETEs close nothing");
                try (Captured log = new Captured()) {
                    assertEquals(204, send(server.http("admin/connections/" + id), "DELETE",
                            Map.of("Authorization", basic("olga"))).statusCode());
                    assertEquals(new WsClient.Close(1008, "closed by operator"), alice.awaitClose());
                    assertTrue(log.lines.stream().anyMatch(l -> l.contains("olga@127.0.0.1") && l.contains(id)
                            && l.contains("alice")), "logged with who did it: " + log.lines);
                }
            }
        }
    }
}
