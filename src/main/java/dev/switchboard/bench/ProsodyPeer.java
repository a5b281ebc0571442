package dev.switchboard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Prosody ({@code apt-get install prosody}) as the XMPP peer: its own process in the
 * foreground, on a config written into a fresh temporary folder (data, pid and log in it), serving
 * only XMPP over WebSocket ({@code mod_websocket}) on a free loopback port and MUC on
 * {@code conference.localhost}. The config keeps Prosody out of its own way the way the bench
 * lifts Switchboard's limits: {@code mod_limits} is not loaded, storage is in memory, any name logs
 * in with any password ({@code authentication = "insecure"}, its test-only provider, like
 * Switchboard with security off), rooms are created unlocked and keep no history, and only the
 * room creator's joins and leaves are broadcast (so that setting up 1,000 occupants takes seconds,
 * not minutes; Core 0.12 mod_muc has no occupant cap to lift). One process,
 * one core: Prosody is single-threaded by design, which is what the comparison shows.
 */
final class ProsodyPeer implements AutoCloseable {

    static final Path PROSODY = Path.of("/usr/bin/prosody");

    private final Process process;
    private final Path folder;
    private final int port;

    private ProsodyPeer(Process process, Path folder, int port) {
        this.process = process;
        this.folder = folder;
        this.port = port;
    }

    static boolean installed() {
        return Files.isExecutable(PROSODY);
    }

    /** The config for a Prosody serving WebSocket on {@code port}, everything it writes under {@code folder}. */
    static String config(Path folder, int port) {
        String dir = folder.toAbsolutePath().toString();
        return """
                -- written by the Switchboard load tool; Prosody runs in the foreground (-F)
                run_as_root = true -- Prosody refuses to start as root without it; harmless otherwise
                pidfile = "%1$s/prosody.pid"
                data_path = "%1$s/data"
                certificates = "%1$s/certs"
                log = { info = "%1$s/prosody.log"; error = "%1$s/prosody.err" }
                network_backend = "epoll"
                -- TCP_NODELAY as Grizzly (Switchboard) sets it: with Nagle on, a fan-out to 1,000 sockets
                -- waits on the receivers' delayed ACKs and Prosody idles at a third of a core
                network_settings = { nagle = false }
                interfaces = { "127.0.0.1" }
                local_interfaces = { "127.0.0.1" }
                c2s_ports = { }
                c2s_direct_tls_ports = { }
                legacy_ssl_ports = { }
                s2s_ports = { }
                component_ports = { }
                http_ports = { %2$d }
                http_interfaces = { "127.0.0.1" }
                https_ports = { }
                -- no "limits" (bandwidth limits), no "bosh", no "smacks"
                modules_enabled = { "disco", "saslauth", "ping", "websocket", "http" }
                modules_disabled = { "bosh", "limits", "s2s", "offline" }
                authentication = "insecure"
                insecure_open_authentication = "Yes please, I know what I'm doing!"
                c2s_require_encryption = false
                allow_unencrypted_plain_auth = true
                consider_websocket_secure = true
                c2s_stanza_size_limit = 262144
                storage = "memory"

                VirtualHost "localhost"

                Component "conference.localhost" "muc"
                  muc_room_locking = false
                  muc_room_default_history_length = 0
                  muc_room_default_public = false
                  muc_tombstones = false
                  muc_room_cache_size = 10000
                  muc_occupant_id = false -- XEP-0421 ids: a hash per occupant per message that Switchboard does not make
                  -- joins and leaves announced only for moderators (the room's creator): 1,000
                  -- occupants joining is then 1,000 presences, not half a million, and messages
                  -- still reach every occupant; the measured window has no presence either way
                  muc_room_default_presence_broadcast = { moderator = true }
                """.formatted(dir, port);
    }

    /** Starts Prosody and returns once its WebSocket endpoint answers (30 s at most). */
    static ProsodyPeer start() throws Exception {
        if (!installed()) {
            throw new IOException("no " + PROSODY + " (apt-get install prosody)");
        }
        Path folder = Files.createTempDirectory("bench-prosody");
        Files.createDirectories(folder.resolve("data"));
        Files.createDirectories(folder.resolve("certs"));
        int port = freePort();
        Path config = folder.resolve("prosody.cfg.lua");
        Files.writeString(config, config(folder, port));
        Process process = new ProcessBuilder(PROSODY.toString(), "-F", "--config", config.toString())
                .directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("stdout.txt").toFile()).start();
        ProsodyPeer peer = new ProsodyPeer(process, folder, port);
        try {
            peer.awaitReady();
        } catch (Exception e) {
            String log = peer.log();
            peer.close();
            throw new IOException("Prosody did not answer on " + peer.xmppUrl() + ": " + e + "\n" + log);
        }
        return peer;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/xmpp-websocket"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("Prosody exited with " + process.exitValue());
            }
            try {
                if (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no answer in 30 s");
            }
            Thread.sleep(100);
        }
    }

    /** The WebSocket URL (subprotocol {@code xmpp}). */
    String xmppUrl() {
        return "ws://127.0.0.1:" + port + "/xmpp-websocket";
    }

    long pid() {
        return process.pid();
    }

    /** Prosody's version as it logs it ("0.12.3"), or "unknown". */
    String version() {
        return log().lines().filter(line -> line.contains("Prosody version"))
                .map(line -> line.replaceAll(".*Prosody version\\s+(\\S+).*", "$1")).findFirst().orElse("unknown");
    }

    /** Its log and console output so far, the last 60 lines. */
    String log() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("stdout.txt", "prosody.log", "prosody.err")) {
            try {
                List<String> lines = Files.readAllLines(folder.resolve(name));
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(line -> out.append(line).append('\n'));
            } catch (IOException absent) {
                // not written (yet)
            }
        }
        return out.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM to Prosody and anything it started, SIGKILL after 10 s; then its folder is deleted. */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
