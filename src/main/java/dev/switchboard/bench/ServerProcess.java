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
final class ServerProcess implements MeasuredServer, AutoCloseable {

    /** What the standalone jar's main prints once it listens, followed by its base URI. */
    private static final String STANDALONE_RUNNING = "Switchboard is running on ";

    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;
    private final int port;
    /** A {@link BenchServer} answers {@code heap} and exits when its input ends; a standalone jar is stopped with SIGTERM. */
    private final boolean benchServer;

    private final Path log;
    /** The data folder the tool made for this process, removed on close; null where the caller chose one (or none is needed). */
    private final Path dataDir;

    private ServerProcess(Process process, Path log, Path dataDir, boolean benchServer) throws IOException {
        this.process = process;
        this.log = log;
        this.dataDir = dataDir;
        this.benchServer = benchServer;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        this.port = benchServer ? Integer.parseInt(expect("port "))
                : java.net.URI.create(expect(STANDALONE_RUNNING).split(" ")[0]).getPort();
    }

    /** Starts {@link BenchServer} {@code kind}; {@code jvmOptions} go before the class (heap, {@code -Dswitchboard.*}). */
    static ServerProcess start(String kind, List<String> jvmOptions) throws IOException {
        Path dataDir = kind.equals("switchboard") ? ownDataDir(jvmOptions) : null;
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(withDataDir(jvmOptions, dataDir));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BenchServer.class.getName());
        command.add(kind);
        return start(kind, command, dataDir, true);
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
        Path dataDir = ownDataDir(jvmOptions);
        command.addAll(withDataDir(jvmOptions, dataDir)); // after the defaults, so a -Dswitchboard.* of this JVM wins
        command.add("-jar");
        command.add(standaloneJar.toString());
        return start(name, command, dataDir, false);
    }

    /**
     * A new temporary data folder for a Switchboard process, unless {@code jvmOptions} already name
     * one (the persistence scenarios keep theirs across a restart): two servers in one working
     * directory would otherwise both lock {@code ./switchboard-data}.
     */
    static Path ownDataDir(List<String> jvmOptions) throws IOException {
        return jvmOptions.stream().anyMatch(o -> o.startsWith(DATA_DIR_OPTION)) ? null
                : Files.createTempDirectory("switchboard-bench-data");
    }

    /** {@code jvmOptions} with {@code -Dswitchboard.data-dir=dataDir} after them, or as they are when {@code dataDir} is null. */
    static List<String> withDataDir(List<String> jvmOptions, Path dataDir) {
        List<String> options = new ArrayList<>(jvmOptions);
        if (dataDir != null) {
            options.add(DATA_DIR_OPTION + dataDir.toAbsolutePath());
        }
        return options;
    }

    static final String DATA_DIR_OPTION = "-Dswitchboard.data-dir=";

    /** Removes a folder the tool made, with everything in it; a file that will not go is left behind. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // left behind in the temporary folder
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // left behind in the temporary folder
        }
    }

    private static ServerProcess start(String name, List<String> command, Path dataDir, boolean benchServer)
            throws IOException {
        Path log = Files.createTempFile("switchboard-bench-" + name, ".log"); // its log stays out of the table
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            return new ServerProcess(process, log, dataDir, benchServer);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            deleteTree(dataDir);
            throw new IOException("The " + name + " server did not start; its log: " + log, e);
        }
    }

    @Override
    public int port() {
        return port;
    }

    /** The server's process id (its CPU use is read from it). */
    @Override
    public long pid() {
        return process.pid();
    }

    /** The lines of the server's log (its standard error) that contain {@code text}, e.g. "fast path". */
    List<String> logLines(String text) {
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text)).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }

    @Override
    public String wsBase() {
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
        deleteTree(dataDir);
    }
}
