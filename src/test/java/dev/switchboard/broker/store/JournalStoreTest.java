package dev.switchboard.broker.store;

import static dev.switchboard.broker.store.StoreFiles.content;
import static dev.switchboard.broker.store.StoreFiles.small;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.switchboard.broker.store.MessageStore.Batch;
import dev.switchboard.broker.store.MessageStore.Contents;
import dev.switchboard.broker.store.MessageStore.StoredMessage;
import dev.switchboard.broker.store.MessageStore.StoredSubscription;
import dev.switchboard.testing.Await;

class JournalStoreTest {

    @TempDir
    Path temp;

    private static List<Long> ids(Contents c) {
        return c.messages().stream().map(StoredMessage::id).toList();
    }

    private static void add(MessageStore store, long id) throws StoreException {
        store.write(new Batch().addMessage(id, "/queue/a", content(id)), true);
    }

    @Test
    void messagesAndSubscriptionsComeBackAfterCloseAndOpen() throws Exception {
        Path folder = temp.resolve("stomp");
        long a;
        long b;
        StoredSubscription sub;
        try (JournalStore store = new JournalStore(small(folder))) {
            Contents empty = store.open();
            assertEquals(List.of(), empty.messages());
            assertEquals(0, empty.droppedRecords());
            a = store.nextId();
            b = store.nextId();
            store.write(new Batch().addMessage(b, "/queue/b", content(b)), true);
            store.write(new Batch().addMessage(a, "/queue/a", content(a)), false);
            sub = new StoredSubscription(store.nextId(), "client-1", "sub-1", "/topic/t", "colour = 'red'");
            store.write(new Batch().addSubscription(sub), true);
            store.write(new Batch().addSubscription(
                    new StoredSubscription(store.nextId(), "client-2", "sub-2", "/topic/u", null)), true);
            assertEquals(4, store.records());
        }
        try (JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(List.of(a, b), ids(c), "in id order");
            StoredMessage first = c.messages().get(0);
            assertEquals("/queue/a", first.queue());
            assertFalse(first.delivered());
            assertArrayEquals(content(a), first.content());
            assertEquals("/queue/b", c.messages().get(1).queue());
            assertEquals(2, c.subscriptions().size());
            assertEquals(sub, c.subscriptions().get(0));
            assertNull(c.subscriptions().get(1).selector());
            assertEquals(0, c.droppedRecords());
            assertEquals(4, store.records());
            long next = store.nextId();
            assertTrue(next > sub.id() + 1, "ids keep rising across a restart: " + next);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "batch"})
    void concurrentDurableWritersShareForcesAndAllComeBack(String sync) throws Exception {
        Path folder = temp.resolve("stomp");
        StoreSettings settings = small(folder).withSync(StoreSettings.Sync.parse(sync)).withFileBytes(1024 * 1024);
        int threads = 4;
        int each = 200;
        try (JournalStore store = new JournalStore(settings)) {
            store.open();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            add(store, store.nextId());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        try (JournalStore store = new JournalStore(settings)) {
            List<Long> ids = ids(store.open());
            assertEquals(threads * each, ids.size());
            assertEquals(LongStream.rangeClosed(1, threads * each).boxed().toList(), ids);
        }
    }

    @Test
    void deliveredMarksSurviveAndRemovesNeverComeBack() throws Exception {
        Path folder = temp.resolve("stomp");
        try (JournalStore store = new JournalStore(small(folder))) {
            store.open();
            for (long id = 1; id <= 6; id++) {
                add(store, store.nextId());
            }
            store.write(new Batch().markDelivered(2), true);
            store.write(new Batch().markDelivered(3).removeMessage(4), true);
            store.write(new Batch().removeMessage(5), false);
            store.write(new Batch().removeMessage(1), true);
            // ignored: ids that are not stored, twice removed, marked after removal
            store.write(new Batch().removeMessage(999).markDelivered(998).removeSubscription(997), true);
            store.write(new Batch().removeMessage(1).markDelivered(1), true);
            // added, marked and removed within one batch: nothing is written
            store.write(new Batch().addMessage(50, "/queue/a", content(50)).markDelivered(50).removeMessage(50), true);
            // added and marked in one batch: stored as delivered
            store.write(new Batch().addMessage(51, "/queue/a", content(51)).markDelivered(51), true);
            assertEquals(4, store.records());
        }
        try (JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(List.of(2L, 3L, 6L, 51L), ids(c));
            assertEquals(List.of(true, true, false, true), c.messages().stream().map(StoredMessage::delivered).toList());
            store.write(new Batch().removeMessage(2).removeMessage(51), true);
        }
        try (JournalStore store = new JournalStore(small(folder))) {
            assertEquals(List.of(3L, 6L), ids(store.open()));
        }
    }

    @Test
    void aBatchCutShortByACrashLeavesNoneOfItAndIsCounted() throws Exception {
        Path folder = temp.resolve("stomp");
        try (JournalStore store = new JournalStore(small(folder))) {
            store.open();
            for (long id = 1; id <= 5; id++) {
                add(store, id);
            }
            // an acknowledgement and two sends in one transaction: the last send is cut below
            store.write(new Batch().removeMessage(1).addMessage(6, "/queue/a", content(6))
                    .addMessage(7, "/queue/b", content(7)), true);
        }
        cutInside(folder, content(7));
        try (StoreFiles.LogCapture log = new StoreFiles.LogCapture(JournalStore.class);
                JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(c), "the remove of 1 belonged to the lost batch");
            // record 6 (complete, no commit) and the torn record 7
            assertEquals(2, c.droppedRecords());
            assertTrue(log.lines().contains("store " + folder.toAbsolutePath()
                    + ": recovered 5 messages, 0 durable subscriptions; dropped 2 incomplete records"), log.lines().toString());
            assertTrue(store.nextId() > 7, "the lost batch's ids are not handed out again");
        }
    }

    /** Sets the file's length to a few bytes before the end of these bytes: a write torn by a crash. */
    private static void cutInside(Path folder, byte[] bytes) throws IOException {
        StoreFiles.Found at = StoreFiles.find(folder, bytes);
        try (RandomAccessFile file = new RandomAccessFile(at.file().toFile(), "rw")) {
            file.setLength(at.offset() + bytes.length - 3);
        }
    }

    @Test
    void aTailTruncatedByAFewBytesLosesOnlyTheLastRecordAndSaysSo() throws Exception {
        Path folder = temp.resolve("stomp");
        try (JournalStore store = new JournalStore(small(folder))) {
            store.open();
            for (long id = 1; id <= 10; id++) {
                add(store, id);
            }
        }
        cutInside(folder, content(10));
        try (StoreFiles.LogCapture log = new StoreFiles.LogCapture(JournalStore.class);
                JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), ids(c));
            assertEquals(1, c.droppedRecords());
            assertTrue(log.lines().stream().anyMatch(l -> l.endsWith("recovered 9 messages, 0 durable subscriptions; dropped 1 incomplete records")),
                    log.lines().toString());
            add(store, 11);
        }
        // the torn record was overwritten: counted once, not at every start
        try (JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(10, c.messages().size());
            assertEquals(11L, c.messages().get(9).id());
            assertEquals(0, c.droppedRecords());
        }
    }

    @Test
    void garbageOverTheTailLosesOnlyTheRecordItSpoilt() throws Exception {
        Path folder = temp.resolve("stomp");
        try (JournalStore store = new JournalStore(small(folder))) {
            store.open();
            for (long id = 1; id <= 10; id++) {
                add(store, id);
            }
        }
        StoreFiles.Found at = StoreFiles.find(folder, content(10));
        byte[] garbage = new byte[4000];
        new Random(42).nextBytes(garbage);
        try (RandomAccessFile file = new RandomAccessFile(at.file().toFile(), "rw")) {
            file.seek(at.offset() + 20);
            file.write(garbage);
        }
        try (StoreFiles.LogCapture log = new StoreFiles.LogCapture(JournalStore.class);
                JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(9, c.messages().size());
            assertArrayEquals(content(9), c.messages().get(8).content());
            assertEquals(1, c.droppedRecords());
            assertTrue(log.lines().stream().anyMatch(l -> l.endsWith("dropped 1 incomplete records")), log.lines().toString());
        }
    }

    @Test
    void aFolderThatCannotBeCreatedStopsOpenNamingIt() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "not a folder");
        Path folder = file.resolve("stomp");
        JournalStore store = new JournalStore(small(folder));
        StoreException e = assertThrows(StoreException.class, store::open);
        assertTrue(e.getMessage().contains(folder.toString()), e.getMessage());
        store.close();
    }

    @Test
    void aFolderInUseByAnotherStoreIsRefused() throws Exception {
        Path folder = temp.resolve("stomp");
        try (JournalStore first = new JournalStore(small(folder))) {
            first.open();
            JournalStore second = new JournalStore(small(folder));
            StoreException e = assertThrows(StoreException.class, second::open);
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            second.close();
        }
    }

    /**
     * Real IO failures as root, where Artemis makes its next journal file (it fills each new file
     * up front, so that is where a filling disk fails first): the names it needs are taken by
     * folders, or lead to /dev/full (every write fails with "No space left on device"). Every write
     * acknowledged until then is kept.
     */
    @ParameterizedTest
    @ValueSource(strings = {"folder-in-the-way", "disk-full"})
    void aFileThatCannotBeMadeFailsTheStoreAndLaterWritesButKeepsWhatWasWritten(String how) throws Exception {
        boolean diskFull = how.equals("disk-full");
        Assumptions.assumeTrue(!diskFull || Files.isWritable(Path.of("/dev/full")), "no /dev/full here");
        Path folder = temp.resolve("stomp");
        List<Long> written = new ArrayList<>();
        StoreException failure = null;
        try (JournalStore store = new JournalStore(small(folder))) {
            store.open();
            List<Path> existing = StoreFiles.journalFiles(folder);
            List<Path> blockers = new ArrayList<>();
            for (int n = 1; n <= 100; n++) {
                Path name = folder.resolve("switchboard-" + n + ".jrn");
                if (!existing.contains(name)) {
                    blockers.add(diskFull
                            ? Files.createSymbolicLink(folder.resolve(name.getFileName() + ".tmp"), Path.of("/dev/full"))
                            : Files.createDirectory(name));
                }
            }
            for (int i = 0; i < 2000 && failure == null; i++) {
                long id = store.nextId();
                try {
                    store.write(new Batch().addMessage(id, "/queue/a", content(id)), true);
                    written.add(id);
                } catch (StoreException e) {
                    failure = e;
                }
            }
            assertNotNull(failure, "the store failed");
            String problem = store.problem();
            assertNotNull(problem);
            assertTrue(problem.contains(folder.toAbsolutePath().toString()), problem);
            if (diskFull) {
                assertTrue(problem.contains("No space left on device"), problem);
            }
            assertEquals(problem, failure.getMessage());
            StoreException later = assertThrows(StoreException.class, () -> add(store, 100_000));
            assertEquals(problem, later.getMessage());
            assertTrue(written.size() > 10, "written before the failure: " + written.size());
            for (Path b : blockers) {
                Files.delete(b);
            }
        }
        try (JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertTrue(ids(c).containsAll(written), "every acknowledged write is kept");
            assertNull(store.problem());
        }
    }

    @Test
    void compactionKeepsTheFolderBoundedWhileMessagesComeAndGo() throws Exception {
        Path folder = temp.resolve("stomp");
        List<Long> kept = new ArrayList<>();
        long fileBytes = StoreSettings.MIN_FILE_BYTES;
        try (JournalStore store = new JournalStore(small(folder))) {
            store.open();
            for (int round = 0; round < 60; round++) {
                List<Long> added = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    long id = store.nextId();
                    store.write(new Batch().addMessage(id, "/queue/a", content(id)), false);
                    added.add(id);
                }
                // two of each hundred stay, spread over every file, so no file empties by itself
                kept.add(added.get(10));
                kept.add(added.get(60));
                for (long id : added) {
                    if (!kept.contains(id)) {
                        store.write(new Batch().removeMessage(id), false);
                    }
                }
            }
            store.write(new Batch().markDelivered(kept.get(0)), true);
            // 6000 records of about 200 bytes passed through (some 18 files' worth); 120 stay
            // Artemis looks at compacting when it moves to a new file: traffic goes on meanwhile, as on a live broker
            Await.until("the journal compacts to a few files", Duration.ofSeconds(20), () -> {
                try {
                    long id = store.nextId();
                    store.write(new Batch().addMessage(id, "/queue/a", content(id)), false);
                    store.write(new Batch().removeMessage(id), false);
                } catch (StoreException e) {
                    throw new IllegalStateException(e);
                }
                return StoreFiles.journalBytes(folder) <= 10 * fileBytes;
            });
            assertEquals(kept.size(), store.records());
        }
        try (JournalStore store = new JournalStore(small(folder))) {
            Contents c = store.open();
            assertEquals(kept, ids(c));
            assertTrue(c.messages().get(0).delivered());
            assertTrue(StoreFiles.journalBytes(folder) <= 10 * fileBytes);
        }
    }

    @Test
    void aRecordLargerThanTheFilesIsRefusedWithoutFailingTheStore() throws Exception {
        try (JournalStore store = new JournalStore(small(temp.resolve("stomp")))) {
            store.open();
            byte[] big = new byte[(int) StoreSettings.MIN_FILE_BYTES];
            StoreException e = assertThrows(StoreException.class,
                    () -> store.write(new Batch().addMessage(1, "/queue/a", big), true));
            assertTrue(e.getMessage().contains("larger"), e.getMessage());
            assertNull(store.problem());
            add(store, 2);
        }
    }

    @Test
    void syncPolicyValues() {
        assertEquals(StoreSettings.Sync.ALWAYS, StoreSettings.Sync.parse("always"));
        assertEquals(StoreSettings.Sync.BATCH, StoreSettings.Sync.parse(" Batch "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StoreSettings.Sync.parse("sometimes"));
        assertTrue(e.getMessage().contains("stomp.store.sync") && e.getMessage().contains("sometimes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StoreSettings.defaults(Path.of("x")).withFileBytes(1000));
        assertThrows(IllegalArgumentException.class, () -> StoreSettings.defaults(Path.of("x")).withBatchWindow(Duration.ZERO));
    }
}
