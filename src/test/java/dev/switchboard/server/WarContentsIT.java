package dev.switchboard.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WAR carries Switchboard only: the application server brings the WebSocket, Servlet and JSON stack. */
class WarContentsIT {

    @Test
    void warBundlesNoServerOrJakartaApiJarsAndNoLauncher() throws IOException {
        Path war = Path.of(System.getProperty("switchboard.test.war", "target/switchboard.war"));
        try (ZipFile zip = new ZipFile(war.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            for (String name : names) {
                String lower = name.toLowerCase();
                boolean serverJar = lower.startsWith("web-inf/lib/") && (lower.contains("tyrus") || lower.contains("grizzly")
                        || lower.contains("jakarta.") || lower.contains("parsson") || lower.contains("servlet-api")
                        || lower.contains("jetty") // the load tool's, not the WAR's
                        || (lower.contains("netty") && !lower.contains("netty-buffer") && !lower.contains("netty-common")));
                // netty-buffer and netty-common are the STOMP store's (Artemis's journal); Netty's HTTP is the load tool's
                assertTrue(!serverJar, "no server or API jar in the WAR: " + name);
                assertTrue(!name.startsWith("WEB-INF/classes/dev/switchboard/standalone/"), "no launcher class: " + name);
                assertTrue(!name.startsWith("WEB-INF/classes/org/"), "no Tyrus shim: " + name);
                assertTrue(!name.startsWith("WEB-INF/classes/dev/switchboard/bench/"), "no load tool: " + name);
            }
            assertTrue(names.contains("WEB-INF/classes/dev/switchboard/SwitchboardDeployment.class"));
            assertTrue(names.contains("echo.html"));
            assertTrue(names.contains("overhead.html"));
            assertTrue(names.contains("js/overhead.js"));
        }
    }
}
