package dev.switchboard.proxy;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RunningServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real reverse proxy (nginx, HAProxy) started by a test: its own configuration in its own temp
 * folder, its own foreground process, listening on free ports. close() stops it (SIGTERM, then
 * SIGKILL) and removes the folder.
 */
final class ReverseProxy implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path folder;
    private final Path log;

    private ReverseProxy(String name, Process process, Path folder, Path log) {
        this.name = name;
        this.process = process;
        this.folder = folder;
        this.log = log;
    }

    /** The binary, from PATH or the sbin folders Debian installs daemons in; empty when not installed. */
    static Optional<Path> binary(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin";
        return Stream.of(path.split(":")).filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable).findFirst();
    }

    /** Starts {@code command} in {@code folder} and waits until every one of {@code ports} accepts connections. */
    static ReverseProxy start(String name, List<String> command, Path folder, List<Integer> ports) throws IOException {
        Path log = folder.resolve(name + ".out");
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ReverseProxy proxy = new ReverseProxy(name, process, folder, log);
        try {
            Await.until(name + " listening on " + ports, Duration.ofSeconds(15), () -> {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + ": " + proxy.output());
                }
                return ports.stream().allMatch(ReverseProxy::accepts);
            });
        } catch (RuntimeException | Error e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What the proxy printed (its error log), for failure messages. */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly); // nginx workers, should the master have gone first
        RunningServer.deleteTree(folder);
    }

    @Override
    public String toString() {
        return name;
    }
}
