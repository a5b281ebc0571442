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
import java.util.concurrent.TimeUnit;

/**
 * A server under test in its own JVM, so each has its own heap, GC and JIT and its RSS can be read
 * from {@code /proc} — the same footing as Artemis, which runs as its own process too.
 */
final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;
    private final int port;

    private final Path log;

    private ServerProcess(Process process, Path log) throws IOException {
        this.process = process;
        this.log = log;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        this.port = Integer.parseInt(expect("port "));
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
        Path log = Files.createTempFile("switchboard-bench-" + kind, ".log"); // its log stays out of the table
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            return new ServerProcess(process, log);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw new IOException("The " + kind + " server did not start; its log: " + log, e);
        }
    }

    int port() {
        return port;
    }

    String wsBase() {
        return "ws://127.0.0.1:" + port + "/";
    }

    /** Live heap after a full collection in the server process. */
    long liveHeapBytes() throws IOException {
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
        in.close(); // the server exits when its input ends
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
