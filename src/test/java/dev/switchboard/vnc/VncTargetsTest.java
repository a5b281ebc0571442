package dev.switchboard.vnc;

import dev.switchboard.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VncTargetsTest {

    @Test
    void namesMapToHostAndPort() {
        VncTargets targets = VncTargets.parse(List.of("desk=127.0.0.1:5900", "lab=vnc.example.com:5901", "v6=[::1]:5902"));
        assertEquals(List.of("desk", "lab", "v6"), targets.names());
        assertEquals(5901, targets.address("lab").orElseThrow().getPort());
        assertEquals("vnc.example.com", targets.address("lab").orElseThrow().getHostString());
        assertEquals("::1", targets.address("v6").orElseThrow().getHostString());
        assertTrue(targets.address("other").isEmpty());
        assertTrue(targets.address(null).isEmpty());
    }

    @Test
    void malformedEntriesStopStartup() {
        for (String bad : List.of("desk", "desk=127.0.0.1", "desk=127.0.0.1:0", "desk=127.0.0.1:70000", "bad name=h:1",
                "desk=h:1:2")) {
            assertThrows(ConfigException.class, () -> VncTargets.parse(List.of(bad)), bad);
        }
        assertThrows(ConfigException.class, () -> VncTargets.parse(List.of("a=h:1", "a=h:2")), "a name twice");
    }
}
