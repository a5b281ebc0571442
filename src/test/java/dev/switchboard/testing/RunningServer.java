package dev.switchboard.testing;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.standalone.SwitchboardServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A standalone Switchboard on a free loopback port, serving src/main/webapp; close() stops it. */
public final class RunningServer implements AutoCloseable {

    private final SwitchboardServer server;
    /** The server's own data-dir, made for it and removed after it, unless the test gave one. */
    private final Path ownDataDir;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private RunningServer(SwitchboardServer server, Path ownDataDir) {
        this.server = server;
        this.ownDataDir = ownDataDir;
    }

    public static RunningServer start() {
        return start(Map.of());
    }

    /** Starts with these configuration keys on top of the defaults (port 0 and host 127.0.0.1 unless given). */
    public static RunningServer start(Map<String, String> keys) {
        Map<String, String> all = new HashMap<>(Map.of("host", "127.0.0.1", "port", "0"));
        all.putAll(keys);
        Path ownDataDir = null;
        if (!all.containsKey("data-dir")) {
            try {
                ownDataDir = Files.createTempDirectory("switchboard-test-data");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            all.put("data-dir", ownDataDir.toString());
        }
        try {
            return new RunningServer(SwitchboardServer.start(SwitchboardConfig.of(all), pages()), ownDataDir);
        } catch (RuntimeException e) {
            deleteTree(ownDataDir);
            throw e;
        }
    }

    public static List<Path> pages() {
        return List.of(Path.of(System.getProperty("switchboard.test.webapp", "src/main/webapp")),
                Path.of(System.getProperty("switchboard.test.generated-webapp", "target/generated-webapp")));
    }

    public SwitchboardServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + "/" + path);
    }

    public URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + "/" + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one Prometheus sample, e.g. {@code switchboard_closes_total{code="1009",endpoint="echo"}}; 0 when absent. */
    public double metric(String sample) throws IOException, InterruptedException {
        for (String line : get("metrics").body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }

    /** Like {@link #metric(String)}, for use inside {@link Await} conditions. */
    public double metricNow(String sample) {
        try {
            return metric(sample);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
        deleteTree(ownDataDir);
    }

    /** Removes a folder and everything in it (null: nothing). */
    public static void deleteTree(Path folder) {
        if (folder == null || !Files.exists(folder)) {
            return;
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
