package dev.switchboard.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An application server run as a child process for one test class: its own temporary folder
 * (domain, logs), started once, stopped with everything it forked, and the folder removed.
 */
final class ManagedServer implements AutoCloseable {

    private final String name;
    private final Path folder;
    private final List<Process> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Should the test JVM itself be stopped (Ctrl-C, a timeout), the server goes with it. */
    private final Thread killer = new Thread(this::kill, "stop-server");

    ManagedServer(String name) throws IOException {
        this.name = name;
        this.folder = Files.createTempDirectory("switchboard-" + name);
        Runtime.getRuntime().addShutdownHook(killer);
    }

    Path folder() {
        return folder;
    }

    Path log() {
        return folder.resolve(name + ".log");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts a process of the server's, its output appended to the log; stopped by {@link #close}. */
    Process start(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** Runs a command of the server's tools to its end (bounded), failing with the log's tail if it fails. */
    void run(List<String> command, Map<String, String> environment, Duration limit) throws Exception {
        Process process = start(command, environment);
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": " + command + " did not finish in " + limit + ": " + tail());
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + ": " + command + " failed (" + process.exitValue() + "): " + tail());
        }
    }

    /** Polls a URL of the server until it answers 200, while {@code server} lives (another process: nothing to wait on). */
    void awaitOk(URI uri, Process server, Duration limit) throws Exception {
        awaitOk(uri, server, limit, () -> false);
    }

    /** As {@link #awaitOk(URI, Process, Duration)}, giving up early once {@code failed} says so (a deployment's marker). */
    void awaitOk(URI uri, Process server, Duration limit, java.util.function.BooleanSupplier failed) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                HttpResponse<String> answer = DeployedWarChecks.HTTP.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!server.isAlive() || failed.getAsBoolean() || System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not answer " + uri + " in " + limit + ": " + tail());
            }
            Thread.sleep(250);
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * A base port, a multiple of 100 in [low, high), whose {@code base + offset} are all free (on the
     * wildcard address, so on every one).
     */
    static int freeBase(int low, int high, int... offsets) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = low + 100 * ThreadLocalRandom.current().nextInt((high - low) / 100);
            if (allFree(base, offsets)) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range");
    }

    private static boolean allFree(int base, int... offsets) {
        for (int offset : offsets) {
            try (ServerSocket any = new ServerSocket(base + offset)) {
                any.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    private void kill() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Kills every process started and what it forked, keeps the log as target/{name}-server.log, removes the folder. */
    @Override
    public void close() throws Exception {
        kill();
        Runtime.getRuntime().removeShutdownHook(killer);
        if (Files.exists(log()) && Files.isDirectory(Path.of("target"))) {
            Files.copy(log(), Path.of("target", name + "-server.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
