package dev.switchboard.ops;

import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** data-dir: made when missing, refused with its name when it cannot be, one process at a time. */
class DataDirectoryTest {

    @Test
    void aMissingFolderIsMade() throws Exception {
        Path parent = Files.createTempDirectory("switchboard-data-test");
        try (DataDirectory data = DataDirectory.open(parent.resolve("a/b").toString())) {
            assertTrue(Files.isDirectory(data.path()));
        } finally {
            RunningServer.deleteTree(parent);
        }
    }

    @Test
    void aFolderThatCannotBeMadeStopsStartupNamingIt() throws Exception {
        Path file = Files.createTempFile("switchboard-data-test", ".txt"); // a folder cannot be made under a file, even by root
        try {
            String wanted = file.resolve("data").toString();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataDirectory.open(wanted));
            assertTrue(e.getMessage().contains(wanted), e.getMessage());
            IllegalStateException server = assertThrows(IllegalStateException.class,
                    () -> RunningServer.start(Map.of("data-dir", wanted)).close());
            assertTrue(server.getMessage().contains(wanted) || String.valueOf(server.getCause()).contains(wanted),
                    server.toString());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aSecondUserOfTheSameFolderIsRefused() throws Exception {
        Path folder = Files.createTempDirectory("switchboard-data-test");
        try (DataDirectory first = DataDirectory.open(folder.toString())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataDirectory.open(folder.toString()));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        } finally {
            RunningServer.deleteTree(folder);
        }
        try (DataDirectory again = DataDirectory.open(folder.toString())) {
            assertTrue(Files.isDirectory(again.path()), "free again once the first let go");
        } finally {
            RunningServer.deleteTree(folder);
        }
    }
}
