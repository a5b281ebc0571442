package dev.switchboard.bench;

import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Switchboard where teams deploy it: Payara Micro from its jar with {@code target/switchboard.war},
 * in its own JVM with the same options as every other server (heap, {@code -Dswitchboard.*}, the
 * limits {@link BenchServer} lifts, as system properties the WAR reads), on a free port bound to
 * loopback (a pre-boot {@code asadmin set} on the HTTP listener), clustering off, its root, unpacked
 * runtime and data folder in one temporary folder that is removed on close. It is up once
 * {@code /switchboard/health} answers 200. Its log (standard output and error) is kept in that
 * folder for {@link #logLines}.
 */
final class PayaraMicro implements MeasuredServer, AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(180);

    private final Process process;
    private final Path root;
    private final Path log;
    private final int port;

    private PayaraMicro(Process process, Path root, Path log, int port) {
        this.process = process;
        this.root = root;
        this.log = log;
        this.port = port;
    }

    static PayaraMicro start(Path payaraJar, Path war, List<String> jvmOptions) throws Exception {
        if (!Files.isRegularFile(payaraJar)) {
            throw new IOException("no Payara Micro jar at " + payaraJar);
        }
        if (!Files.isRegularFile(war)) {
            throw new IOException("no WAR at " + war + " (./mvnw package builds target/switchboard.war)");
        }
        Path root = Files.createTempDirectory("switchboard-bench-payara");
        Path log = root.resolve("payara.log");
        int port = freePort();
        Process process = null;
        try {
            Files.createDirectories(root.resolve("root")); // Payara wants both to exist
            Files.createDirectories(root.resolve("unpack"));
            Path preboot = Files.writeString(root.resolve("preboot.asadmin"),
                    "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1\n");
            process = new ProcessBuilder(command(payaraJar, war, jvmOptions, root, preboot, port))
                    .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PayaraMicro payara = new PayaraMicro(process, root, log, port);
            payara.awaitHealth();
            return payara;
        } catch (Exception e) {
            if (process != null) {
                stop(process);
            }
            String tail = tail(log, 30);
            ServerProcess.deleteTree(root);
            throw new IOException("Payara Micro did not start; the end of its log:\n" + tail, e);
        }
    }

    /** The Payara Micro command line (for tests: what it starts with). */
    static List<String> command(Path payaraJar, Path war, List<String> jvmOptions, Path root, Path preboot, int port) {
        List<String> command = new ArrayList<>();
        command.add(ServerProcess.javaCommand());
        for (Map.Entry<String, String> key : BenchServer.liftedLimits().entrySet()) {
            if (!key.getKey().equals("port")) { // Payara's listener is the port; the WAR has none of its own
                command.add("-Dswitchboard." + key.getKey() + "=" + key.getValue());
            }
        }
        command.addAll(ServerProcess.withDataDir(jvmOptions, jvmOptions.stream()
                .anyMatch(o -> o.startsWith(ServerProcess.DATA_DIR_OPTION)) ? null : root.resolve("data")));
        command.addAll(List.of("-jar", payaraJar.toAbsolutePath().toString(),
                "--nocluster", "--nohazelcast", "--disablephonehome",
                "--port", Integer.toString(port),
                "--rootdir", root.resolve("root").toString(),
                "--unpackdir", root.resolve("unpack").toString(),
                "--prebootcommandfile", preboot.toString(),
                "--deploy", war.toAbsolutePath().toString(),
                "--contextroot", "switchboard"));
        return command;
    }

    private void awaitHealth() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/switchboard/health");
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Payara Micro ended with exit code " + process.exitValue());
            }
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && answer.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IOException("Payara Micro's health did not answer UP in " + STARTUP.toSeconds() + " s");
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String wsBase() {
        return "ws://127.0.0.1:" + port + "/switchboard/";
    }

    /** The lines of Payara's log that contain {@code text} (terminal colours removed). */
    List<String> logLines(String text) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.map(l -> l.replaceAll("\u001B\\[[0-9;]*m", "")).filter(l -> l.contains(text)).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    private static String tail(Path log, int lines) {
        try (Stream<String> all = Files.lines(log, StandardCharsets.UTF_8)) {
            List<String> list = all.toList();
            return String.join("\n", list.subList(Math.max(0, list.size() - lines), list.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM (Payara's shutdown), then SIGKILL for it and anything it started if it has not ended in 30 s. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
        ServerProcess.deleteTree(root);
    }
}
