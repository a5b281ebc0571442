package dev.switchboard.broker.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.switchboard.broker.store.MessageStore.Contents;
import dev.switchboard.broker.store.MessageStore.StoredMessage;

/** A writer in another JVM is killed with SIGKILL mid-stream: every write it saw return is on disk. */
class JournalStoreCrashTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"always", "batch"})
    void everyAcknowledgedWriteSurvivesKillNine(String sync) throws Exception {
        Path folder = temp.resolve("stomp");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), folder.toString(), sync)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Set<Long> stored = new HashSet<>();
        Set<Long> removed = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean killed = false;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("+")) {
                    stored.add(Long.parseLong(line.substring(1)));
                } else if (line.startsWith("-")) {
                    removed.add(Long.parseLong(line.substring(1)));
                }
                if (!killed && stored.size() >= 400) {
                    // SIGKILL (the handle's, which leaves the pipe open to read what was printed before)
                    assertTrue(writer.toHandle().destroyForcibly());
                    killed = true;
                }
            }
            assertTrue(killed, "the writer ran until killed");
        } finally {
            writer.destroyForcibly();
            assertTrue(writer.waitFor(20, TimeUnit.SECONDS));
        }
        assertEquals(137, writer.exitValue(), "killed by SIGKILL");
        try (JournalStore store = new JournalStore(new StoreSettings(folder, StoreSettings.Sync.parse(sync),
                StoreSettings.DEFAULT_BATCH_WINDOW, 256 * 1024))) {
            Contents c = store.open();
            Set<Long> found = new HashSet<>(c.messages().stream().map(StoredMessage::id).toList());
            Set<Long> missing = new HashSet<>(stored);
            missing.removeAll(removed);
            missing.removeAll(found);
            assertEquals(Set.of(), missing, "acknowledged and not removed, but gone");
            Set<Long> back = new HashSet<>(removed);
            back.retainAll(found);
            assertEquals(Set.of(), back, "removed, but back");
            List<Long> ids = c.messages().stream().map(StoredMessage::id).toList();
            assertEquals(ids.stream().sorted().toList(), ids);
        }
    }
}
