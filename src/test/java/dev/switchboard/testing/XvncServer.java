package dev.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real VNC server for tests: Debian's TigerVNC {@code Xvnc} on a free display and a free
 * loopback port, with {@code xeyes} drawn on it so the screen is not blank. {@link #close()} stops both.
 */
public final class XvncServer implements AutoCloseable {

    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;

    private final Process xvnc;
    private final Process xeyes;
    private final int port;
    private final int display;
    private final Path passwordFile;

    private XvncServer(Process xvnc, Process xeyes, int port, int display, Path passwordFile) {
        this.xvnc = xvnc;
        this.xeyes = xeyes;
        this.port = port;
        this.display = display;
        this.passwordFile = passwordFile;
    }

    /** No authentication (security type None). */
    public static XvncServer start() throws Exception {
        return start(null);
    }

    /** With VNC authentication when {@code password} is given. */
    public static XvncServer start(String password) throws Exception {
        if (!new File("/usr/bin/Xvnc").canExecute()) {
            throw new IllegalStateException("Xvnc is needed: run scripts/install-test-deps.sh (the README's test command does)");
        }
        int port = freePort();
        int display = freeDisplay();
        List<String> command = new ArrayList<>(List.of("/usr/bin/Xvnc", ":" + display, "-rfbport", String.valueOf(port),
                "-localhost", "-nolisten", "tcp", "-geometry", WIDTH + "x" + HEIGHT, "-depth", "24",
                "-AlwaysShared", "-DisconnectClients=0", "-BlacklistThreshold=100000"));
        Path passwordFile = null;
        if (password == null) {
            command.addAll(List.of("-SecurityTypes", "None"));
        } else {
            passwordFile = Files.createTempFile("switchboard-vnc", ".passwd");
            Process vncpasswd = new ProcessBuilder("/usr/bin/vncpasswd", "-f").redirectOutput(passwordFile.toFile()).start();
            vncpasswd.getOutputStream().write((password + "\n").getBytes());
            vncpasswd.getOutputStream().close();
            vncpasswd.waitFor(10, TimeUnit.SECONDS);
            command.addAll(List.of("-SecurityTypes", "VncAuth", "-PasswordFile", passwordFile.toString()));
        }
        Process xvnc = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        awaitPort(port, xvnc);
        ProcessBuilder eyes = new ProcessBuilder("/usr/bin/xeyes", "-geometry", WIDTH + "x" + HEIGHT + "+0+0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        eyes.environment().put("DISPLAY", ":" + display);
        Process xeyes = eyes.start();
        return new XvncServer(xvnc, xeyes, port, display, passwordFile);
    }

    public int port() {
        return port;
    }

    /** The {@code vnc.targets} entry for this server under {@code name}. */
    public String target(String name) {
        return name + "=127.0.0.1:" + port;
    }

    /** Kills the VNC server, as a crash or a power cut would. */
    public void kill() {
        xeyes.destroyForcibly();
        xvnc.destroyForcibly();
    }

    @Override
    public void close() throws Exception {
        xeyes.destroy();
        xvnc.destroy();
        if (!xvnc.waitFor(10, TimeUnit.SECONDS)) {
            xvnc.destroyForcibly();
        }
        xeyes.destroyForcibly();
        Files.deleteIfExists(Path.of("/tmp/.X" + display + "-lock"));
        Files.deleteIfExists(Path.of("/tmp/.X11-unix/X" + display));
        if (passwordFile != null) {
            Files.deleteIfExists(passwordFile);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static synchronized int freeDisplay() {
        for (int display = 40 + (int) (ProcessHandle.current().pid() % 200); display < 1000; display++) {
            if (!Files.exists(Path.of("/tmp/.X" + display + "-lock")) && !Files.exists(Path.of("/tmp/.X11-unix/X" + display))) {
                return display;
            }
        }
        throw new IllegalStateException("no free X display");
    }

    private static void awaitPort(int port, Process xvnc) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!xvnc.isAlive()) {
                throw new IllegalStateException("Xvnc exited with " + xvnc.exitValue());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20); // polling for the port to open, not waiting for time
            }
        }
        xvnc.destroyForcibly();
        throw new IllegalStateException("Xvnc did not listen on " + port);
    }
}
