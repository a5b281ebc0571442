package dev.switchboard.proxy;

import dev.switchboard.testing.GridNodes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** docs/deploy.md's HAProxy configuration, run by a real HAProxy (Debian's package) in front of Switchboard. */
class HAProxyTest extends ProxiedDeploymentTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Override
    String binary() {
        return "haproxy";
    }

    @Override
    Proxied start(Path executable, Path folder, List<Integer> backends, TestCertificate certificate) throws Exception {
        int tls = GridNodes.freePort();
        int plain = GridNodes.freePort();
        String servers = IntStream.range(0, backends.size())
                .mapToObj(i -> "    server node" + (i + 1) + " 127.0.0.1:" + backends.get(i) + " check inter 2s fall 2 rise 2")
                .collect(Collectors.joining("\n"));
        DeployDoc config = DeployDoc.block("haproxy-config")
                .replaceAll("^    server node1 [^\\n]*\\n    server node2 [^\\n]*", servers)
                .replace("bind :80", "bind 127.0.0.1:" + plain)
                .replace("bind :443 ssl crt /etc/haproxy/tls/chat.example.com.pem",
                        "bind 127.0.0.1:" + tls + " ssl crt " + certificate.combined)
                .replace("maxconn 50000", "maxconn 2000") // within this machine's descriptor limit
                .replace("timeout tunnel 90s", "timeout tunnel " + PROXY_TIMEOUT.toSeconds() + "s");
        boolean ready = answersReady(backends.get(0));
        if (!ready) {
            config.replace("option httpchk GET /health/ready", "option httpchk GET /health"); // a build without health/ready
        }
        System.out.println("haproxy checks the nodes with GET " + (ready ? "/health/ready" : "/health"));
        Path file = Files.writeString(folder.resolve("haproxy.cfg"), config.text() + "\n");
        ReverseProxy process = ReverseProxy.start("haproxy", List.of(executable.toString(), "-db", "-f", file.toString()),
                folder, List.of(tls, plain));
        return new Proxied(process, tls, plain);
    }

    /** Whether the server has health/ready (the document's check), or only health. */
    private static boolean answersReady(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }
}
