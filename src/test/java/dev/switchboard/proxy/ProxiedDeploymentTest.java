package dev.switchboard.proxy;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real reverse proxy, configured as docs/deploy.md says, in front of one standalone server and
 * in front of two cluster nodes (no stickiness): every endpoint works through it over TLS, an idle
 * WebSocket outlives the proxy's timeout three times over (server pings), and the console's
 * loopback rule holds behind it. Three proxy processes, one per backend: the standalone server
 * that trusts the proxy, one that does not (and sends no pings), and the two nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProxiedDeploymentTest {

    /** The proxy's idle timeout in the tests (90 s in the document). */
    static final Duration PROXY_TIMEOUT = Duration.ofSeconds(2);
    /** The servers' ping interval in the tests, well under the proxy's timeout. */
    static final String KEEPALIVE = "500ms";

    /** A started proxy in front of some backends: its TLS port and its plain port. */
    record Proxied(ReverseProxy process, int tlsPort, int plainPort) {
    }

    private Path folder;
    private TestCertificate certificate;
    private RunningServer trusting;
    private RunningServer untrusting;
    private RunningServer nodeA;
    private RunningServer nodeB;
    private final List<AutoCloseable> proxies = new ArrayList<>();
    private Proxied toTrusting;
    private Proxied toUntrusting;
    private Proxied toCluster;

    /** The proxy's executable name (the tests are skipped when it is not installed). */
    abstract String binary();

    /** Starts the documented configuration in front of {@code backends} (ports on 127.0.0.1) in {@code folder}. */
    abstract Proxied start(Path executable, Path folder, List<Integer> backends, TestCertificate certificate) throws Exception;

    @BeforeAll
    void startServersAndProxies() throws Exception {
        Path executable = ReverseProxy.binary(binary()).orElse(null);
        assumeTrue(executable != null, binary() + " is not installed (scripts/install-test-deps.sh installs it)");
        folder = Files.createTempDirectory("switchboard-" + binary());
        certificate = TestCertificate.makeIn(folder);
        int gridA = GridNodes.freePort();
        int gridB = GridNodes.freePort();
        String members = "127.0.0.1:" + gridA + ",127.0.0.1:" + gridB;
        String grid = binary() + "-proxy-test-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> a = CompletableFuture.supplyAsync(() -> RunningServer.start(Map.of(
                "trusted-proxies", "127.0.0.1,::1", "keepalive-interval", KEEPALIVE, "cluster", "on",
                "cluster.name", grid, "cluster.port", Integer.toString(gridA), "cluster.members", members)));
        CompletableFuture<RunningServer> b = CompletableFuture.supplyAsync(() -> RunningServer.start(Map.of(
                "trusted-proxies", "127.0.0.1,::1", "keepalive-interval", KEEPALIVE, "cluster", "on",
                "cluster.name", grid, "cluster.port", Integer.toString(gridB), "cluster.members", members)));
        trusting = RunningServer.start(Map.of("trusted-proxies", "127.0.0.1,::1", "keepalive-interval", KEEPALIVE));
        untrusting = RunningServer.start(Map.of("keepalive-interval", "0"));
        nodeA = a.get();
        nodeB = b.get();
        toTrusting = started(executable, "trusting", List.of(trusting.port()));
        toUntrusting = started(executable, "untrusting", List.of(untrusting.port()));
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> GridNodes.members(nodeA.http("health")) == 2 && GridNodes.members(nodeB.http("health")) == 2);
        toCluster = started(executable, "cluster", List.of(nodeA.port(), nodeB.port()));
    }

    private Proxied started(Path executable, String name, List<Integer> backends) throws Exception {
        Path own = Files.createDirectories(folder.resolve(name));
        Proxied proxied = start(executable, own, backends, certificate);
        proxies.add(proxied.process());
        return proxied;
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable proxy : proxies) {
            proxy.close();
        }
        for (RunningServer server : new RunningServer[] {trusting, untrusting, nodeA, nodeB}) {
            if (server != null) {
                server.close();
            }
        }
        RunningServer.deleteTree(folder);
    }

    // ---- the clients ------------------------------------------------------------------------------

    private URI wss(Proxied proxy, String path) {
        return URI.create("wss://127.0.0.1:" + proxy.tlsPort() + "/" + path);
    }

    /** A browser-like client of a page served by the proxy: Origin is the proxy's own https address. */
    private WsClient open(Proxied proxy, String path) {
        return WsClient.connect(certificate.client, wss(proxy, path), Map.of("Origin", "https://127.0.0.1:" + proxy.tlsPort()));
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

    private static JsonObject join(WsClient client, String nick) throws InterruptedException {
        client.sendText("{\"type\":\"join\",\"nick\":\"" + nick + "\"}");
        return next(client, "welcome");
    }

    private static String stompConnect(WsClient client, String frames) throws InterruptedException {
        client.sendText("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0" + frames);
        String connected = client.nextText();
        assertTrue(connected.startsWith("CONNECTED"), connected);
        return connected;
    }

    private static void subscribe(WsClient client, String topic) throws InterruptedException {
        String connected = stompConnect(client, "SUBSCRIBE\nid:s1\ndestination:" + topic + "\nreceipt:r1\n\n\0");
        String receipt = connected.contains("RECEIPT") ? connected : client.nextText();
        assertTrue(receipt.contains("receipt-id:r1"), receipt);
    }

    private static String nextMessage(WsClient client) throws InterruptedException {
        String frame = client.nextText();
        while (!frame.startsWith("MESSAGE")) {
            frame = client.nextText();
        }
        return frame;
    }

    private static int openConnections(RunningServer server) {
        try {
            return json(server.get("health").body()).getInt("connections");
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- one server behind the proxy -----------------------------------------------------------------

    @Test
    void echoAnswersTextAndBinaryThroughTheProxyWithTheProxysOwnOrigin() throws Exception {
        try (WsClient echo = open(toTrusting, "echo")) {
            assertEquals("through the proxy", echo.sendText("through the proxy").nextText());
            byte[] bytes = {0, 1, 2, (byte) 0xff};
            assertArrayEquals(bytes, echo.sendBinary(bytes).next().binary());
        }
    }

    @Test
    void aForeignOriginIsStillRefusedThroughTheProxy() {
        try {
            certificate.client.newWebSocketBuilder().header("Origin", "https://evil.example")
                    .buildAsync(wss(toTrusting, "echo"), new java.net.http.WebSocket.Listener() { }).join().abort();
            throw new AssertionError("a foreign origin's handshake succeeded");
        } catch (java.util.concurrent.CompletionException e) {
            assertTrue(e.getCause() instanceof java.net.http.WebSocketHandshakeException, String.valueOf(e.getCause()));
            assertEquals(403, ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        }
    }

    @Test
    void chatMembersTalkThroughTheProxy() throws Exception {
        String room = "proxied" + System.nanoTime() % 100_000;
        try (WsClient alice = open(toTrusting, "chat/" + room); WsClient bob = open(toTrusting, "chat/" + room)) {
            join(alice, "alice");
            assertEquals(2, join(bob, "bob").getJsonArray("members").size());
            alice.sendText("{\"type\":\"message\",\"text\":\"hello through nginx or haproxy\"}");
            assertEquals("hello through nginx or haproxy", next(bob, "message").getString("text"));
        }
    }

    @Test
    void stompTopicsWorkThroughTheProxy() throws Exception {
        String topic = "/topic/proxied" + System.nanoTime() % 100_000;
        try (WsClient subscriber = open(toTrusting, "stomp"); WsClient publisher = open(toTrusting, "stomp")) {
            subscribe(subscriber, topic);
            stompConnect(publisher, "SEND\ndestination:" + topic + "\n\nproxied\0");
            assertTrue(nextMessage(subscriber).endsWith("\n\nproxied\0"));
        }
    }

    @Test
    void plainHttpIsRedirectedToHttps() throws Exception {
        HttpResponse<Void> answer = certificate.client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + toTrusting.plainPort() + "/chat.html")).build(), HttpResponse.BodyHandlers.discarding());
        assertTrue(answer.statusCode() == 301 || answer.statusCode() == 302, "status " + answer.statusCode());
        assertTrue(answer.headers().firstValue("Location").orElse("").startsWith("https://"), answer.headers().toString());
    }

    /** An idle echo socket that counts the server's pings (the JDK client answers each with a pong). */
    private final class IdleSocket implements java.net.http.WebSocket.Listener, AutoCloseable {
        final java.util.concurrent.atomic.AtomicInteger pings = new java.util.concurrent.atomic.AtomicInteger();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final java.util.concurrent.BlockingQueue<String> texts = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.net.http.WebSocket socket;

        IdleSocket(Proxied proxy) {
            socket = certificate.client.newWebSocketBuilder().buildAsync(wss(proxy, "echo"), this).join();
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onPing(java.net.http.WebSocket webSocket, java.nio.ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
            texts.add(data.toString());
            webSocket.request(1);
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket webSocket, int code, String reason) {
            closed.complete(code);
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket webSocket, Throwable error) {
            closed.complete(1006);
        }

        /** Whether the socket closed within {@code time} (a bounded wait for what must not happen). */
        boolean closesWithin(Duration time) throws Exception {
            try {
                closed.get(Math.max(1, time.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        String echo(String text) throws Exception {
            socket.sendText(text, true).join();
            String answer = texts.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(text, answer);
            return answer;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }

    @Test
    void idleSocketsOutliveTheProxyTimeoutThreeTimesWhileTheServerPings() throws Exception {
        try (IdleSocket alone = new IdleSocket(toTrusting); IdleSocket clustered = new IdleSocket(toCluster);
             IdleSocket unpinged = new IdleSocket(toUntrusting)) {
            long start = System.nanoTime();
            // the control: behind the same proxy, a server that never pings loses its idle socket at the timeout
            assertTrue(unpinged.closesWithin(PROXY_TIMEOUT.multipliedBy(3)), "the proxy's timeout never struck");
            Duration droppedAfter = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(droppedAfter.compareTo(PROXY_TIMEOUT.minusMillis(500)) >= 0, "dropped after " + droppedAfter);
            // the pinged ones stay open for three proxy timeouts
            Duration rest = PROXY_TIMEOUT.multipliedBy(3).plusMillis(500).minusNanos(System.nanoTime() - start);
            assertFalse(alone.closesWithin(rest), "the pinged socket to one server was closed");
            assertFalse(clustered.closesWithin(Duration.ZERO), "the pinged socket to the cluster was closed");
            Duration idle = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("%s: an unpinged idle socket dropped after %d ms; pinged ones open after %d ms"
                    + " (%d and %d pings through the proxy)%n", binary(), droppedAfter.toMillis(), idle.toMillis(),
                    alone.pings.get(), clustered.pings.get());
            assertTrue(alone.pings.get() >= 3 && clustered.pings.get() >= 3, "the pings crossed the proxy");
            alone.echo("still here");
            clustered.echo("still here too");
        }
    }

    // ---- the remote console's loopback rule (security off) --------------------------------------------

    @Test
    void theConsoleFromThisMachineThroughATrustedLocalProxyMayOperate() throws Exception {
        try (WsClient operator = open(toTrusting, "console")) {
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            assertTrue(json(operator.nextText()).getString("type").matches("attached|targets"));
        }
    }

    @Test
    void theConsoleThroughAProxyTheServerDoesNotTrustIsForbidden() throws Exception {
        try (WsClient operator = open(toUntrusting, "console")) {
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            JsonObject refused = next(operator, "error");
            assertEquals("forbidden", refused.getString("code"));
            assertEquals(1008, operator.awaitClose().code());
        }
    }

    // ---- two cluster nodes behind the proxy -----------------------------------------------------------

    @Test
    void chatAcrossBothNodesThroughTheProxy() throws Exception {
        Await.until("no sockets left open on the nodes", Duration.ofSeconds(10),
                () -> openConnections(nodeA) == 0 && openConnections(nodeB) == 0);
        String room = "balanced" + System.nanoTime() % 100_000;
        try (WsClient alice = open(toCluster, "chat/" + room); WsClient bob = open(toCluster, "chat/" + room)) {
            Await.until("one member on each node", Duration.ofSeconds(10),
                    () -> openConnections(nodeA) == 1 && openConnections(nodeB) == 1);
            join(alice, "alice");
            JsonObject welcome = join(bob, "bob");
            assertEquals(2, welcome.getJsonArray("members").size(), "one member list across the nodes");
            alice.sendText("{\"type\":\"message\",\"text\":\"from one node\"}");
            assertEquals("from one node", next(bob, "message").getString("text"));
            bob.sendText("{\"type\":\"message\",\"text\":\"from the other\"}");
            JsonObject atAlice = next(alice, "message");
            while (!atAlice.getString("text").equals("from the other")) {
                atAlice = next(alice, "message");
            }
        }
    }

    @Test
    void stompAcrossBothNodesThroughTheProxy() throws Exception {
        Await.until("no sockets left open on the nodes", Duration.ofSeconds(10),
                () -> openConnections(nodeA) == 0 && openConnections(nodeB) == 0);
        String topic = "/topic/balanced" + System.nanoTime() % 100_000;
        try (WsClient subscriber = open(toCluster, "stomp"); WsClient publisher = open(toCluster, "stomp")) {
            Await.until("one client on each node", Duration.ofSeconds(10),
                    () -> openConnections(nodeA) == 1 && openConnections(nodeB) == 1);
            subscribe(subscriber, topic);
            stompConnect(publisher, "SEND\ndestination:" + topic + "\n\nacross nodes\0");
            assertTrue(nextMessage(subscriber).endsWith("\n\nacross nodes\0"));
        }
    }
}
