package dev.switchboard.standalone;

import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code target/switchboard-standalone.jar} as a user runs it: {@code java -jar}, then Ctrl-C / SIGTERM. */
class StandaloneJarIT {

    private static final Path JAR = Path.of(System.getProperty("switchboard.test.jar", "target/switchboard-standalone.jar"));
    private static final Pattern RUNNING = Pattern.compile("running on (http://\\S+/)");

    @Test
    void jarServesPagesAndEchoFromInsideItselfAndClosesWith1001OnSigterm() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built");
        Process process = launch("-Dswitchboard.port=0");
        try {
            URI base = awaitBaseUri(process);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("echo.html")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Echo console"));
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("js/ws.js")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("overhead.html")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());

            URI ws = URI.create(base.toString().replace("http://", "ws://")).resolve("echo");
            try (WsClient client = WsClient.connect(ws)) {
                assertEquals("from the jar", client.sendText("from the jar").nextText());
                process.destroy(); // SIGTERM, as Ctrl-C or a service manager would send
                WsClient.Close close = client.awaitClose();
                assertEquals(1001, close.code());
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits after SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void jarHoldsNoneOfTheLoadToolsClassesOrLibraries() throws Exception {
        // netty-buffer and netty-common are the STOMP store's (Artemis's journal); Netty's HTTP and channels are the load tool's
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            List<String> strays = jar.stream().map(java.util.jar.JarEntry::getName)
                    .filter(name -> name.startsWith("dev/switchboard/bench/") || name.startsWith("io/netty/handler/")
                            || name.startsWith("io/netty/channel/") || name.startsWith("org/eclipse/jetty/"))
                    .limit(5).toList();
            assertTrue(strays.isEmpty(), "only switchboard-bench.jar has the load tool: " + strays);
        }
    }

    @Test
    void malformedPortStopsStartupWithAClearMessage() throws Exception {
        Process process = launch("-Dswitchboard.port=abc");
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the launcher exits");
            String err = stderr();
            assertEquals(2, process.exitValue(), err);
            assertTrue(err.contains("Invalid configuration 'port' = 'abc'"), err);
        } finally {
            process.destroyForcibly();
        }
    }

    private Path stderr;

    private Process launch(String... jvmArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-jar", JAR.toString()));
        stderr = Files.createTempFile("switchboard-jar", ".log");
        stderr.toFile().deleteOnExit();
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }

    private String stderr() throws IOException {
        return Files.readString(stderr);
    }

    private URI awaitBaseUri(Process process) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String line;
        while ((line = out.readLine()) != null) {
            Matcher m = RUNNING.matcher(line);
            if (m.find()) {
                return URI.create(m.group(1));
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        throw new AssertionError("the jar did not report its URL; stderr: " + stderr());
    }
}
