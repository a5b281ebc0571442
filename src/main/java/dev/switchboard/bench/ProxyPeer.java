package dev.switchboard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's nginx or HAProxy in front of a Switchboard server, to measure what a reverse proxy costs
 * (the {@code proxies} scenario): its own process in the foreground, on a config written into a
 * fresh temporary folder, on a free loopback port, forwarding WebSockets the way docs/deploy.md
 * configures them (nginx: the upgrade map, HTTP/1.1, {@code Host}, forwarded headers, no
 * buffering; HAProxy: {@code timeout tunnel}) — without TLS, so that only the proxying is measured.
 */
final class ProxyPeer implements AutoCloseable {

    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    final String name;
    private final Process process;
    private final Path folder;
    private final int port;

    private ProxyPeer(String name, Process process, Path folder, int port) {
        this.name = name;
        this.process = process;
        this.folder = folder;
        this.port = port;
    }

    /** The proxies installed here, each as its name and binary. */
    static List<String> installed() {
        return Stream.of("nginx", "haproxy").filter(name -> Files.isExecutable(binary(name))).toList();
    }

    private static Path binary(String name) {
        return name.equals("nginx") ? NGINX : HAPROXY;
    }

    static String nginxConfig(Path folder, int port, int upstream) {
        String dir = folder.toAbsolutePath().toString();
        return """
                # written by the Switchboard load tool; nginx runs in the foreground
                daemon off;
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 9000; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        ''      close;
                    }
                    server {
                        listen 127.0.0.1:%2$d;
                        location / {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_set_header Host $host;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header X-Forwarded-Proto $scheme;
                            proxy_read_timeout 90s;
                            proxy_send_timeout 90s;
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(dir, port, upstream);
    }

    static String haproxyConfig(int port, int upstream) {
        return """
                # written by the Switchboard load tool; HAProxy runs in the foreground (-db)
                global
                    # two descriptors a connection, within this machine's 20,000 (docs/deploy.md has 50,000)
                    maxconn 9000
                defaults
                    mode http
                    option forwardfor
                    timeout connect 5s
                    timeout client 90s
                    timeout server 90s
                    timeout tunnel 90s
                frontend websockets
                    bind 127.0.0.1:%d
                    default_backend switchboard
                backend switchboard
                    server node1 127.0.0.1:%d
                """.formatted(port, upstream);
    }

    /** Starts {@code name} in front of {@code upstreamPort}; returns once its port accepts connections (20 s at most). */
    static ProxyPeer start(String name, int upstreamPort) throws Exception {
        Path folder = Files.createTempDirectory("switchboard-bench-" + name);
        int port = freePort();
        Path config = folder.resolve(name + ".conf");
        List<String> command;
        if (name.equals("nginx")) {
            Files.writeString(config, nginxConfig(folder, port, upstreamPort));
            command = List.of(NGINX.toString(), "-p", folder.toString(), "-e", folder.resolve("error.log").toString(),
                    "-c", config.toString());
        } else {
            Files.writeString(config, haproxyConfig(port, upstreamPort));
            command = List.of(HAPROXY.toString(), "-db", "-f", config.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(folder.resolve(name + ".out").toFile()).start();
        ProxyPeer peer = new ProxyPeer(name, process, folder, port);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return peer;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String said = Files.readString(folder.resolve(name + ".out"));
                    peer.close();
                    throw new IllegalStateException(name + " did not start: " + said);
                }
                Thread.sleep(50); // polling a port that is not open yet: nothing to wait on
            }
        }
    }

    String wsBase() {
        return "ws://127.0.0.1:" + port + "/";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
