package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test in its own JVM, so each has its own heap, GC and JIT and its RSS can be read
 * from {@code /proc} — the same footing as Artemis, which runs as its own process too.
 */
final class ServerProcess implements AutoCloseable {

    /** What the standalone jar's main prints once it listens, followed by its base URI. */
    private static final String STANDALONE_RUNNING = "Switchboard is running on ";

    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;
    private final int port;
    /** A {@link BenchServer} answers {@code heap} and exits when its input ends; a standalone jar is stopped with SIGTERM. */
    private final boolean benchServer;

    private final Path log;

    private ServerProcess(Process process, Path log, boolean benchServer) throws IOException {
        this.process = process;
        this.log = log;
        this.benchServer = benchServer;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        this.port = benchServer ? Integer.parseInt(expect("port "))
                : java.net.URI.create(expect(STANDALONE_RUNNING).split(" ")[0]).getPort();
    }

    /** Starts {@link BenchServer} {@code kind}; {@code jvmOptions} go before the class (heap, {@code -Dswitchboard.*}). */
    static ServerProcess start(String kind, List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchServer.class.getName());
        command.add(kind);
        return start(kind, command, true);
    }

    /**
     * Starts Switchboard from a standalone jar (another build, e.g. a baseline from before a change)
     * on a free loopback port, with the same limits lifted as {@link BenchServer} lifts and
     * {@code jvmOptions} before {@code -jar}. It has no {@code heap} command.
     */
    static ServerProcess startJar(String name, Path standaloneJar, List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(standaloneJar)) {
            throw new IOException("no standalone jar at " + standaloneJar);
        }
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        for (Map.Entry<String, String> key : BenchServer.liftedLimits().entrySet()) {
            command.add("-Dswitchboard." + key.getKey() + "=" + key.getValue());
        }
        command.add("-Dswitchboard.host=127.0.0.1");
        command.addAll(jvmOptions); // after the defaults, so a -Dswitchboard.* of this JVM wins
        command.add("-jar");
        command.add(standaloneJar.toString());
        return start(name, command, false);
    }

    private static ServerProcess start(String name, List<String> command, boolean benchServer) throws IOException {
        Path log = Files.createTempFile("switchboard-bench-" + name, ".log"); // its log stays out of the table
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            return new ServerProcess(process, log, benchServer);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw new IOException("The " + name + " server did not start; its log: " + log, e);
        }
    }

    int port() {
        return port;
    }

    /** The server's process id (its CPU use is read from it). */
    long pid() {
        return process.pid();
    }

    String wsBase() {
        return "ws://127.0.0.1:" + port + "/";
    }

    /** Ends the server with SIGKILL, as a crash would (nothing of it runs: no hooks, no flush); its data folder stays. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Live heap after a full collection in the server process. */
    long liveHeapBytes() throws IOException {
        if (!benchServer) {
            throw new IOException("a standalone jar has no heap command");
        }
        in.println("heap");
        return Long.parseLong(expect("heap "));
    }

    /** The server's resident set, from /proc (0 where there is none). */
    long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** The java this tool runs on, so every server process runs on the same JVM. */
    static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private String expect(String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        throw new IOException("server process ended before printing '" + prefix + "'");
    }

    @Override
    public void close() throws InterruptedException {
        in.close(); // a BenchServer exits when its input ends
        if (!benchServer) {
            process.destroy(); // SIGTERM: the standalone main's shutdown hook closes its WebSockets and exits
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temporary file left behind
        }
    }
}
