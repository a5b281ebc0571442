package dev.switchboard.proxy;

import dev.switchboard.testing.GridNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** docs/deploy.md's nginx configuration, run by a real nginx (Debian's package) in front of Switchboard. */
class NginxProxyTest extends ProxiedDeploymentTest {

    @Override
    String binary() {
        return "nginx";
    }

    @Override
    Proxied start(Path executable, Path folder, List<Integer> backends, TestCertificate certificate) throws Exception {
        int tls = GridNodes.freePort();
        int plain = GridNodes.freePort();
        String servers = backends.stream().map(port -> "    server 127.0.0.1:" + port + ";").collect(Collectors.joining("\n"));
        String site = DeployDoc.block("nginx-config")
                .replace("    server 127.0.0.1:8080;\n    server 127.0.0.1:8081;", servers)
                .replace("listen 80;", "listen 127.0.0.1:" + plain + ";")
                .replace("listen 443 ssl;", "listen 127.0.0.1:" + tls + " ssl;")
                .replace("/etc/nginx/tls/chat.example.com.crt", certificate.certificate.toString())
                .replace("/etc/nginx/tls/chat.example.com.key", certificate.key.toString())
                .replace("proxy_read_timeout 90s;", "proxy_read_timeout " + PROXY_TIMEOUT.toSeconds() + "s;")
                .replace("proxy_send_timeout 90s;", "proxy_send_timeout " + PROXY_TIMEOUT.toSeconds() + "s;")
                .text();
        // what Debian's /etc/nginx/nginx.conf gives the site, with everything in the test's own folder
        String main = ("root".equals(System.getProperty("user.name")) ? "user root;\n" : "")
                + "worker_processes 1;\n"
                + "pid " + folder.resolve("nginx.pid") + ";\n"
                + "error_log stderr warn;\n"
                + "events { worker_connections 1024; }\n"
                + "http {\n"
                + "    access_log off;\n"
                + "    client_body_temp_path " + folder.resolve("body") + ";\n"
                + "    proxy_temp_path " + folder.resolve("proxy") + ";\n"
                + "    fastcgi_temp_path " + folder.resolve("fastcgi") + ";\n"
                + "    uwsgi_temp_path " + folder.resolve("uwsgi") + ";\n"
                + "    scgi_temp_path " + folder.resolve("scgi") + ";\n"
                + "    include " + Files.writeString(folder.resolve("switchboard.conf"), site) + ";\n"
                + "}\n";
        Path config = Files.writeString(folder.resolve("nginx.conf"), main);
        ReverseProxy process = ReverseProxy.start("nginx", List.of(executable.toString(), "-p", folder + "/",
                "-c", config.toString(), "-e", "stderr", "-g", "daemon off;"), folder, List.of(tls, plain));
        return new Proxied(process, tls, plain);
    }
}
