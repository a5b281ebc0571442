package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerProcessTest {

    @Test
    void eachSwitchboardGetsItsOwnDataFolderUnlessOneIsGiven() throws Exception {
        Path one = ServerProcess.ownDataDir(List.of("-Xmx1g"));
        Path two = ServerProcess.ownDataDir(List.of("-Xmx1g"));
        try {
            assertTrue(Files.isDirectory(one) && Files.isDirectory(two) && !one.equals(two));
            assertEquals(List.of("-Xmx1g", "-Dswitchboard.data-dir=" + one.toAbsolutePath()),
                    ServerProcess.withDataDir(List.of("-Xmx1g"), one));
        } finally {
            ServerProcess.deleteTree(one);
            ServerProcess.deleteTree(two);
        }
        assertFalse(Files.exists(one));
        List<String> persistent = List.of("-Dswitchboard.data-dir=/tmp/kept");
        assertNull(ServerProcess.ownDataDir(persistent)); // the persistence scenarios keep theirs across a restart
        assertEquals(persistent, ServerProcess.withDataDir(persistent, null));
    }

    @Test
    void deleteTreeRemovesNestedFiles() throws Exception {
        Path dir = Files.createTempDirectory("server-process-test");
        Files.writeString(Files.createDirectories(dir.resolve("stomp")).resolve("journal"), "x");
        ServerProcess.deleteTree(dir);
        assertFalse(Files.exists(dir));
        ServerProcess.deleteTree(dir); // gone already: nothing to do
    }

    @Test
    void payaraRunsOnLoopbackWithTheServersOptionsItsOwnDataAndNoCluster() {
        Path root = Path.of("/tmp/bench-root");
        List<String> command = PayaraMicro.command(Path.of("payara-micro.jar"), Path.of("target/switchboard.war"),
                List.of("-Xms1g", "-Xmx1g", "-Dswitchboard.send-queue-bytes=1MiB"), root, root.resolve("preboot.asadmin"), 12345);
        String line = String.join(" ", command);
        assertTrue(line.contains(" -Xms1g -Xmx1g -Dswitchboard.send-queue-bytes=1MiB -Dswitchboard.data-dir=/tmp/bench-root/data -jar "), line);
        assertTrue(line.contains("-Dswitchboard.rate.messages-per-second=1000000"), line);
        assertFalse(line.contains("-Dswitchboard.port="), line);
        assertTrue(line.contains("--nocluster --nohazelcast --disablephonehome --port 12345 --rootdir /tmp/bench-root/root"), line);
        assertTrue(line.contains("--prebootcommandfile /tmp/bench-root/preboot.asadmin --deploy "), line);
        assertTrue(line.endsWith("switchboard.war --contextroot switchboard"), line);
    }
}
