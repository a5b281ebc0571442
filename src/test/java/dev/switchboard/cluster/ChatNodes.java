package dev.switchboard.cluster;

import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.ServerProcess;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the failure tests share: nodes in their own JVMs, logins, and a chat client's view of a room. */
final class ChatNodes {

    static final String USERS = "alice:{noop}pw:user,bob:{noop}pw:user,carol:{noop}pw:user,dave:{noop}pw:user,"
            + "erin:{noop}pw:user,olga:{noop}pw:operator|user";

    private static final ConcurrentMap<ServerProcess, Path> DATA_DIRS = new ConcurrentHashMap<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ChatNodes() {
    }

    /** A node of grid {@code name} on {@code gridPort}, bound to {@code host}, started through {@code wrapper}. */
    static ServerProcess node(String name, String host, int gridPort, String members, List<String> wrapper) {
        try {
            Path dataDir = Files.createTempDirectory("switchboard-node");
            try {
                ServerProcess node = ServerProcess.start(Map.of("cluster", "on", "cluster.name", name, "cluster.port",
                        Integer.toString(gridPort), "cluster.members", members, "security", "on",
                        "security.users", USERS, "data-dir", dataDir.toString()), host, wrapper);
                DATA_DIRS.put(node, dataDir);
                return node;
            } catch (Exception e) {
                delete(dataDir);
                throw e;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kills each node that was started (null: not started) and deletes its data-dir; every one, whatever fails. */
    static void stop(ServerProcess... nodes) throws Exception {
        Exception first = null;
        for (ServerProcess node : nodes) {
            if (node == null) {
                continue;
            }
            try {
                // the nodes' own account of the grid, for the test's report
                node.log().lines().filter(line -> line.contains("Cluster:") || line.contains("WARNING"))
                        .forEach(line -> System.out.println("[" + node.http("") + "] " + line));
                node.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
            Path dir = DATA_DIRS.remove(node);
            if (dir != null) {
                delete(dir);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static int members(ServerProcess node) {
        return GridNodes.members(node.http("health"));
    }

    static String nodeId(ServerProcess node) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(node.http("health")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return json(body).getJsonObject("cluster").getString("node");
    }

    static Map<String, String> login(ServerProcess node, String user) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(node.http("login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=pw&next=chat.html"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, response.statusCode());
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return Map.of("Cookie", setCookie.substring(0, setCookie.indexOf(';')));
    }

    /** Connects {@code user} to the room on {@code node} and joins with their own nick: the welcome. */
    static Joined join(ServerProcess node, String room, String user) throws Exception {
        return join(node, room, user, null);
    }

    /** As {@link #join(ServerProcess, String, String)}, recovering after {@code epoch:offset} when given. */
    static Joined join(ServerProcess node, String room, String user, String since) throws Exception {
        WsClient client = WsClient.connect(node.ws("chat/" + room), login(node, user));
        String sinceJson = "";
        if (since != null) {
            String[] parts = since.split(":");
            sinceJson = ",\"since\":{\"epoch\":\"" + parts[0] + "\",\"offset\":" + parts[1] + "}";
        }
        client.sendText("{\"type\":\"join\",\"nick\":\"" + user + "\"" + sinceJson + "}");
        return new Joined(client, next(client, "welcome", Duration.ofSeconds(20)));
    }

    record Joined(WsClient client, JsonObject welcome) implements AutoCloseable {
        List<String> nicks() {
            return welcome.getJsonArray("members").getValuesAs(JsonObject.class).stream()
                    .map(m -> m.getString("nick")).toList();
        }

        String epoch() {
            return welcome.getString("epoch");
        }

        void say(String text) {
            client.sendText("{\"type\":\"message\",\"text\":\"" + text + "\"}");
        }

        @Override
        public void close() {
            client.close();
        }
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** The next message of that type, skipping others. */
    static JsonObject next(WsClient client, String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + type + " within " + timeout);
            }
            WsClient.Message message = client.next(Duration.ofNanos(left));
            if (message.isText()) {
                JsonObject object = json(message.text());
                if (object.getString("type").equals(type)) {
                    return object;
                }
            }
        }
    }

    /** Waits for a presence notice of {@code nick} with {@code presence}, skipping other messages. */
    static JsonObject presence(WsClient client, String nick, String presence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no presence " + presence + " of " + nick + " within " + timeout);
            }
            JsonObject notice = next(client, "presence", Duration.ofNanos(left));
            if (notice.getString("nick").equals(nick) && notice.getString("presence").equals(presence)) {
                return notice;
            }
        }
    }

    /** Waits until each of {@code nicks} has been announced with {@code presence}, in any order (others skipped). */
    static void presences(WsClient client, java.util.Set<String> nicks, String presence, Duration timeout)
            throws InterruptedException {
        java.util.Set<String> missing = new java.util.HashSet<>(nicks);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!missing.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no presence " + presence + " of " + missing + " within " + timeout);
            }
            JsonObject notice = next(client, "presence", Duration.ofNanos(left));
            if (notice.getString("presence").equals(presence)) {
                missing.remove(notice.getString("nick"));
            }
        }
    }

    /** The next room message with that text (others skipped). */
    static JsonObject message(WsClient client, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no message \"" + text + "\" within " + timeout);
            }
            JsonObject message = next(client, "message", Duration.ofNanos(left));
            if (message.getString("text").equals(text)) {
                return message;
            }
        }
    }
}
