package dev.switchboard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Switchboard in a process of its own (the launcher's main class on the test class
 * path), so that a test can kill it as a crash would: {@link #kill()} is SIGKILL, nothing runs
 * on the way out. {@link #close()} kills it too, so no test leaves one behind.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern RUNNING = Pattern.compile("running on (http://\\S+/)");

    private final Process process;
    private final URI base;
    private final Path log;

    private ServerProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts a server with these configuration keys (as {@code -Dswitchboard.KEY=VALUE}) on a free port. */
    public static ServerProcess start(Map<String, String> keys) throws IOException, InterruptedException {
        return start(keys, "127.0.0.1", List.of());
    }

    /**
     * Starts a server bound to {@code host}, its command run through {@code wrapper} (e.g.
     * {@code ip netns exec NAME}, which execs java: the process is the server's own, for
     * {@link #kill()}, {@link #pause()} and {@link #resume()}).
     */
    public static ServerProcess start(Map<String, String> keys, String host, List<String> wrapper)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "-Dswitchboard.host=" + host,
                "-Dswitchboard.port=0"));
        keys.forEach((key, value) -> command.add("-Dswitchboard." + key + "=" + value));
        command.add("dev.switchboard.standalone.Main");
        Path log = Files.createTempFile("switchboard-process", ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        CompletableFuture<URI> base = CompletableFuture.supplyAsync(() -> awaitBase(process));
        try {
            return new ServerProcess(process, base.get(90, TimeUnit.SECONDS), log);
        } catch (Exception e) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("the server did not start: " + Files.readString(log), e);
        }
    }

    private static URI awaitBase(Process process) {
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = RUNNING.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> {
                        try {
                            out.transferTo(java.io.Writer.nullWriter());
                        } catch (IOException ignored) {
                            // the process is gone
                        }
                    }, "server-process-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return URI.create(m.group(1));
                }
            }
            throw new IllegalStateException("the server exited before it reported its URL");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI ws(String path) {
        return URI.create(base.toString().replace("http://", "ws://")).resolve(path);
    }

    public URI http(String path) {
        return base.resolve(path);
    }

    /** What the server logged so far (its standard error). */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGSTOP: the process stands still (no thread runs, its sockets stay open), as in a long GC pause or a frozen VM. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a paused process runs on. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        // the shell's own kill: no procps needed
        Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL: the process ends at once, as in a crash; returns when it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not die");
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        kill();
        Files.deleteIfExists(log);
    }
}
