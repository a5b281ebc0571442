package dev.switchboard.standalone;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standalone port with {@code tls.keystore}: https and wss only, with a certificate made for this test. */
class TlsTest {

    private static Path dir;
    private static Path keystore;
    private static RunningServer server;
    private static HttpClient trusting;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("switchboard-tls");
        keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "switchboard", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                new String(keytool.getInputStream().readAllBytes()));
        server = RunningServer.start(Map.of("tls.keystore", keystore.toString(), "tls.keystore-password", "changeit"));
        trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustingOnly(keystore))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        Files.deleteIfExists(keystore);
        Files.deleteIfExists(dir);
    }

    private static SSLContext trustingOnly(Path store) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trusted.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void pagesAndHealthAreServedOverHttps() throws Exception {
        assertEquals("https", server.server().baseUri().getScheme());
        HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals(200, trusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/echo.html"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void echoWorksOverWss() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket = trusting.newWebSocketBuilder().buildAsync(URI.create("wss://127.0.0.1:" + server.port() + "/echo"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        reply.complete(data.toString());
                        return null;
                    }
                }).join();
        socket.sendText("over TLS", true).join();
        assertEquals("over TLS", reply.get(10, TimeUnit.SECONDS));
        socket.abort();
    }

    @Test
    void plainHttpIsNotServedOnTheTlsPort() {
        HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/health")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void wrongKeystorePasswordStopsStartupWithAClearMessage() {
        var e = assertThrows(dev.switchboard.config.ConfigException.class, () -> RunningServer.start(
                Map.of("tls.keystore", keystore.toString(), "tls.keystore-password", "wrong")));
        assertTrue(e.getMessage().contains("'tls.keystore'"), e.getMessage());
    }
}
