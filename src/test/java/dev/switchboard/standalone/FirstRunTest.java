package dev.switchboard.standalone;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a newcomer meets first: the banner, a 404 in the pages' style, no server version on any answer. */
class FirstRunTest {

    @Test
    void theBannerSaysWhereItRunsAndHowItIsSetUp() {
        try (RunningServer server = RunningServer.start(Map.of("security", "on",
                "security.users", "bob:{noop}pw:user,olga:{noop}op:operator", "vnc.targets", "desk=127.0.0.1:5901"))) {
            String banner = Main.banner(server.server());
            String[] lines = banner.split("\n");
            assertEquals(2, lines.length, banner);
            assertTrue(lines[0].startsWith("Switchboard is running on http://127.0.0.1:" + server.port() + "/"), banner);
            assertTrue(lines[1].contains("security on, 2 users"), banner);
            assertTrue(lines[1].contains("TLS off") && lines[1].contains("VNC targets: desk")
                    && lines[1].contains("cluster: off") && lines[1].contains("data-dir: /"), banner);
        }
        try (RunningServer open = RunningServer.start()) {
            assertTrue(Main.banner(open.server()).contains("security off (turn it on before exposing this port"));
        }
    }

    @Test
    void aMissingPageIsA404InThePagesStyleNamingNoServer() throws Exception {
        try (RunningServer server = RunningServer.start()) {
            HttpResponse<String> missing = server.get("no-such-page.html");
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("<h1>404 Not found</h1>") && missing.body().contains("css/switchboard.css"),
                    missing.body());
            assertFalse(missing.body().toLowerCase().contains("grizzly"), missing.body());
            for (HttpResponse<String> answer : new HttpResponse[] {missing, server.get(""), server.get("health")}) {
                String header = answer.headers().firstValue("Server").orElse("");
                assertFalse(header.toLowerCase().contains("grizzly") || header.matches(".*\\d.*"),
                        "no server name with a version: " + header);
            }
        }
    }
}
