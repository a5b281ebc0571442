package dev.switchboard.broker.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.activemq.artemis.core.io.SequentialFileFactory;
import org.apache.activemq.artemis.core.io.nio.NIOSequentialFileFactory;
import org.apache.activemq.artemis.core.journal.EncoderPersister;
import org.apache.activemq.artemis.core.journal.IOCompletion;
import org.apache.activemq.artemis.core.journal.JournalLoadInformation;
import org.apache.activemq.artemis.core.journal.LoaderCallback;
import org.apache.activemq.artemis.core.journal.PreparedTransactionInfo;
import org.apache.activemq.artemis.core.journal.RecordInfo;
import org.apache.activemq.artemis.core.journal.impl.JournalFile;
import org.apache.activemq.artemis.core.journal.impl.JournalImpl;
import org.apache.activemq.artemis.core.journal.impl.JournalReaderCallbackAbstract;
import org.apache.activemq.artemis.core.journal.impl.dataformat.ByteArrayEncoding;

/**
 * The broker's store on ActiveMQ Artemis's append-only journal (the one Artemis keeps its own
 * messages in), written through plain NIO. Artemis's timed buffer does the group commit: writes
 * that arrive while one force runs go out together with the next force ({@code always}: as soon
 * as the previous force is done; {@code batch}: at most one force per window). The journal
 * reclaims files whose records are all deleted and compacts sparse ones, so the folder stays about
 * as big as what is live.
 *
 * <p>Thread-safe: {@link #write} may be called from many threads at once; a durable write blocks
 * its caller until the force. Writes are appended in the order they are called; a caller that
 * needs "add before remove" calls them in that order (or in one batch).
 */
public final class JournalStore implements MessageStore {

    private static final Logger LOG = Logger.getLogger(JournalStore.class.getName());

    // User record types (Artemis keeps them next to each record).
    private static final byte MESSAGE = 1;
    private static final byte SUBSCRIPTION = 2;
    /** An update record on a message: it was delivered and not acknowledged. */
    private static final byte DELIVERED = 3;
    /** Written after a torn tail was found, so that its remains are overwritten and not counted again. */
    private static final byte MARKER = 4;

    /** First byte of every record body, so the encoding can change later. */
    private static final int FORMAT = 1;
    private static final byte[] NOTHING = new byte[0];

    /** The timed buffer, and so the largest record: a 1 MiB STOMP frame with its headers fits. */
    private static final int BUFFER_BYTES = 2 * 1024 * 1024;
    private static final String PREFIX = "switchboard";
    private static final String EXTENSION = "jrn";
    private static final String LOCK_FILE = "store.lock";
    // Files: 2 made ready up front, at most 4 empty ones kept for reuse; compact once more than 4
    // files hold data and under 30 % of their bytes are live (Artemis's own default percentage).
    private static final int MIN_FILES = 2;
    private static final int POOL_FILES = 4;
    private static final int COMPACT_MIN_FILES = 4;
    private static final int COMPACT_PERCENTAGE = 30;
    /** Seconds a write waits for the next file to be made before the store counts as failed. */
    private static final int FILE_OPEN_TIMEOUT_SECONDS = 5;

    private final StoreSettings settings;
    private final Path folder;
    /** Ids of the records the journal holds now (messages and subscriptions). */
    private final Set<Long> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastId = new AtomicLong();
    private volatile String problem;
    private final Object problemLock = new Object();
    private volatile JournalImpl journal;
    private FileChannel lockChannel;
    private FileLock lock;
    private long maxRecordBytes;

    public JournalStore(StoreSettings settings) {
        this.settings = settings;
        this.folder = settings.folder().toAbsolutePath();
    }

    @Override
    public synchronized Contents open() throws StoreException {
        if (journal != null) {
            throw new IllegalStateException("store " + folder + " is already open");
        }
        prepareFolder();
        JournalImpl j = null;
        try {
            long window = settings.sync() == StoreSettings.Sync.ALWAYS ? 1 : settings.batchWindow().toNanos();
            NIOSequentialFileFactory files = new NIOSequentialFileFactory(folder.toFile(), true, BUFFER_BYTES,
                    (int) window, 1, false, this::failed, null);
            j = new JournalImpl(null, (int) settings.fileBytes(), MIN_FILES, POOL_FILES,
                    COMPACT_MIN_FILES, COMPACT_PERCENTAGE, FILE_OPEN_TIMEOUT_SECONDS, files, PREFIX, EXTENSION, 1,
                    0, this::failed, 0);
            j.start();
            long torn = countTornRecords(j, files);
            Loader loader = new Loader();
            JournalLoadInformation info = j.load(loader);
            for (PreparedTransactionInfo prepared : loader.prepared) {
                // never written by this store; roll back so the journal does not keep them pending
                j.appendRollbackRecord(prepared.getId(), false);
            }
            lastId.accumulateAndGet(Math.max(info.getMaxID(), loader.maxId), Math::max);
            maxRecordBytes = j.getWarningRecordSize();
            Contents contents = loader.contents(torn);
            if (torn > 0) {
                long marker = nextId();
                j.appendAddRecord(marker, MARKER, NOTHING, false);
                j.appendDeleteRecord(marker, true);
            }
            if (problem != null) {
                throw new StoreException(problem);
            }
            LOG.info(() -> "store " + folder + ": recovered " + contents.messages().size() + " messages, "
                    + contents.subscriptions().size() + " durable subscriptions; dropped "
                    + contents.droppedRecords() + " incomplete records");
            journal = j;
            return contents;
        } catch (StoreException e) {
            stopQuietly(j);
            closeLock();
            throw e;
        } catch (Exception e) {
            stopQuietly(j);
            closeLock();
            throw new StoreException("store " + folder + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Created when missing; must take a file (tested by making one: root may write where chmod says no). */
    private void prepareFolder() throws StoreException {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new StoreException("store folder " + folder + " cannot be created: " + describe(e), e);
        }
        try {
            Path probe = Files.createTempFile(folder, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new StoreException("store folder " + folder + " cannot be written: " + describe(e), e);
        }
        try {
            lockChannel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            throw new StoreException("store folder " + folder + " cannot be locked: " + describe(e), e);
        }
        if (lock == null) {
            closeLock();
            throw new StoreException("store folder " + folder + " is in use by another store (another node on the same data-dir?)");
        }
    }

    private static String describe(IOException e) {
        String type = e.getClass().getSimpleName();
        return e.getMessage() == null ? type : type + " " + e.getMessage();
    }

    /**
     * Artemis reads a journal file record by record and checks each: its type, the file id every
     * record carries (so leftovers of an earlier use of a reused file are skipped), and the size
     * stated at its start against the size repeated at its end. What does not check out is
     * skipped without a word. To count it, this looks, after the last good record of the newest
     * file(s), for the start of a record of that file that did not check out (a torn or
     * overwritten tail). Read only; the journal's own load comes next.
     */
    private long countTornRecords(JournalImpl j, SequentialFileFactory files) throws Exception {
        List<JournalFile> ordered = j.orderFiles();
        long torn = 0;
        for (int i = ordered.size() - 1; i >= 0; i--) {
            JournalFile file = ordered.get(i);
            RecordCounter counter = new RecordCounter();
            int end = JournalImpl.readJournalFile(files, file, counter);
            if (end > 0) {
                torn += recordStartsAfter(folder.resolve(file.getFile().getFileName()), end, file.getRecordID());
            }
            if (counter.records > 0) {
                break;
            }
        }
        return torn;
    }

    private static long recordStartsAfter(Path file, int from, int fileRecordId) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= from) {
                return 0;
            }
            ByteBuffer tail = ByteBuffer.allocate((int) (size - from));
            while (tail.hasRemaining() && channel.read(tail, from + tail.position()) > 0) {
                // read it all
            }
            tail.flip();
            long starts = 0;
            for (int p = 0; p + 5 <= tail.limit(); p++) {
                byte type = tail.get(p);
                if (type >= JournalImpl.EVENT_RECORD && type <= JournalImpl.ROLLBACK_RECORD
                        && tail.getInt(p + 1) == fileRecordId) {
                    starts++;
                    p += 4;
                }
            }
            return starts;
        }
    }

    private static final class RecordCounter extends JournalReaderCallbackAbstract {
        long records;

        @Override
        public void onReadAddRecord(RecordInfo info) {
            records++;
        }

        @Override
        public void onReadUpdateRecord(RecordInfo info) {
            records++;
        }

        @Override
        public void onReadDeleteRecord(long recordID) {
            records++;
        }

        @Override
        public void onReadAddRecordTX(long transactionID, RecordInfo info) {
            records++;
        }

        @Override
        public void onReadUpdateRecordTX(long transactionID, RecordInfo info) {
            records++;
        }

        @Override
        public void onReadDeleteRecordTX(long transactionID, RecordInfo info) {
            records++;
        }

        @Override
        public void onReadCommitRecord(long transactionID, int numberOfRecords) {
            records++;
        }

        @Override
        public void onReadRollbackRecord(long transactionID) {
            records++;
        }

        @Override
        public void onReadPrepareRecord(long transactionID, byte[] extraData, int numberOfRecords) {
            records++;
        }
    }

    /** Folds what the journal replays (in file order: adds, updates, deletes) into what is stored now. */
    private final class Loader implements LoaderCallback {
        final TreeMap<Long, StoredMessage> messages = new TreeMap<>();
        final Map<Long, StoredSubscription> subscriptions = new LinkedHashMap<>();
        final Set<Long> deliveredBeforeAdd = new HashSet<>();
        final List<PreparedTransactionInfo> prepared = new ArrayList<>();
        long dropped;
        long maxId;

        @Override
        public void addRecord(RecordInfo info) {
            seen(info.id);
            switch (info.userRecordType) {
                case MESSAGE -> {
                    StoredMessage m = decodeMessage(info.id, info.data);
                    if (deliveredBeforeAdd.remove(info.id)) {
                        m = new StoredMessage(m.id(), m.queue(), true, m.content());
                    }
                    messages.put(info.id, m);
                }
                case SUBSCRIPTION -> subscriptions.put(info.id, decodeSubscription(info.id, info.data));
                default -> {
                    return;
                }
            }
            live.add(info.id);
        }

        @Override
        public void updateRecord(RecordInfo info) {
            seen(info.id);
            if (info.userRecordType == DELIVERED) {
                StoredMessage m = messages.get(info.id);
                if (m == null) {
                    deliveredBeforeAdd.add(info.id);
                } else if (!m.delivered()) {
                    messages.put(info.id, new StoredMessage(m.id(), m.queue(), true, m.content()));
                }
            }
        }

        @Override
        public void deleteRecord(long id) {
            messages.remove(id);
            subscriptions.remove(id);
            deliveredBeforeAdd.remove(id);
            live.remove(id);
        }

        @Override
        public void failedTransaction(long transactionID, List<RecordInfo> records, List<RecordInfo> recordsToDelete) {
            seen(transactionID);
            records.forEach(r -> seen(r.id));
            dropped += records.size() + recordsToDelete.size();
        }

        @Override
        public void addPreparedTransaction(PreparedTransactionInfo tx) {
            seen(tx.getId());
            tx.getRecords().forEach(r -> seen(r.id));
            dropped += tx.getRecords().size() + tx.getRecordsToDelete().size();
            prepared.add(tx);
        }

        private void seen(long id) {
            maxId = Math.max(maxId, id);
        }

        Contents contents(long torn) {
            return new Contents(List.copyOf(messages.values()), List.copyOf(subscriptions.values()), dropped + torn);
        }
    }

    @Override
    public long nextId() {
        return lastId.incrementAndGet();
    }

    /** {@link #writeAsync}, then (with {@code durable}) waiting for it; without, a failure known at once is still thrown. */
    @Override
    public void write(Batch batch, boolean durable) throws StoreException {
        CompletableFuture<Void> written = writeAsync(batch, durable);
        if (!durable && !written.isDone()) {
            return; // on its way: it reaches the OS within the window
        }
        try {
            written.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StoreException failure) {
                throw failure;
            }
            throw new StoreException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /**
     * {@link #write} without the caller waiting for the force: the journal completes the batch from
     * its flush thread once it is on disk (with the others of that force), in the order of the
     * calls. One record is a plain record, more are one journal transaction, as in {@code write}.
     */
    @Override
    public CompletableFuture<Void> writeAsync(Batch batch, boolean durable) {
        JournalImpl j = journal;
        if (j == null) {
            throw new IllegalStateException("store " + folder + " is not open");
        }
        String failure = problem;
        if (failure != null) {
            return CompletableFuture.failedFuture(new StoreException(failure));
        }
        List<Record> records;
        try {
            records = records(batch);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        for (Record r : records) {
            if (r.body.length > maxRecordBytes) {
                return CompletableFuture.failedFuture(new StoreException("a record of " + r.body.length
                        + " bytes is larger than the store's limit of " + maxRecordBytes + " bytes (store " + folder + ")"));
            }
        }
        Set<Long> added = new HashSet<>();
        Set<Long> removed = new HashSet<>();
        for (Record r : records) {
            if (r.kind == Kind.ADD) {
                added.add(r.id);
            } else if (r.kind == Kind.DELETE) {
                removed.add(r.id);
            }
        }
        live.addAll(added);
        live.removeAll(removed);
        CompletableFuture<Void> written = new CompletableFuture<>();
        IOCompletion completion = new IOCompletion() {
            @Override
            public void storeLineUp() {
            }

            @Override
            public void done() {
                String after = problem;
                if (after != null) {
                    // as in write: Artemis may complete waiting writes after a failed buffer write
                    written.completeExceptionally(new StoreException(after));
                } else {
                    written.complete(null);
                }
            }

            @Override
            public void onError(int code, String message) {
                failed(null, message, null);
                written.completeExceptionally(new StoreException(problem));
            }
        };
        try {
            if (records.size() == 1) {
                Record r = records.get(0);
                switch (r.kind) {
                    case ADD -> j.appendAddRecord(r.id, r.type, EncoderPersister.getInstance(), new ByteArrayEncoding(r.body),
                            durable, completion);
                    case UPDATE -> j.appendUpdateRecord(r.id, r.type, EncoderPersister.getInstance(),
                            new ByteArrayEncoding(r.body), durable, completion);
                    case DELETE -> j.appendDeleteRecord(r.id, durable, completion);
                }
            } else {
                long tx = nextId();
                for (Record r : records) {
                    switch (r.kind) {
                        case ADD -> j.appendAddRecordTransactional(tx, r.id, r.type, r.body);
                        case UPDATE -> j.appendUpdateRecordTransactional(tx, r.id, r.type, r.body);
                        case DELETE -> j.appendDeleteRecordTransactional(tx, r.id);
                    }
                }
                j.appendCommitRecord(tx, durable, completion);
            }
        } catch (Exception e) {
            live.removeAll(added);
            live.addAll(removed);
            if (problem == null) {
                failed(e, e.getMessage(), null);
            }
            written.completeExceptionally(new StoreException(problem, e));
        }
        return written;
    }

    private enum Kind { ADD, UPDATE, DELETE }

    private record Record(Kind kind, long id, byte type, byte[] body) {
    }

    /**
     * The journal records for a batch: marks and removes of ids that are not stored are dropped;
     * an add marked delivered in the same batch is stored delivered; an add removed in the same
     * batch is not written at all.
     */
    private List<Record> records(Batch batch) throws StoreException {
        LinkedHashMap<Long, Record> adds = new LinkedHashMap<>();
        LinkedHashMap<Long, Record> changes = new LinkedHashMap<>();
        for (Batch.Operation op : batch.operations()) {
            if (op instanceof Batch.AddMessage a) {
                adds.put(a.id(), new Record(Kind.ADD, a.id(), MESSAGE, encodeMessage(a.queue(), false, a.content())));
            } else if (op instanceof Batch.AddSubscription s) {
                StoredSubscription sub = s.subscription();
                adds.put(sub.id(), new Record(Kind.ADD, sub.id(), SUBSCRIPTION, encodeSubscription(sub)));
            } else if (op instanceof Batch.MarkDelivered m) {
                Record add = adds.get(m.id());
                if (add != null) {
                    if (add.type == MESSAGE) {
                        adds.put(m.id(), new Record(Kind.ADD, m.id(), MESSAGE, markDelivered(add.body)));
                    }
                } else if (live.contains(m.id()) && !changes.containsKey(m.id())) {
                    changes.put(m.id(), new Record(Kind.UPDATE, m.id(), DELIVERED, NOTHING));
                }
            } else if (op instanceof Batch.RemoveMessage r) {
                remove(r.id(), adds, changes);
            } else if (op instanceof Batch.RemoveSubscription r) {
                remove(r.id(), adds, changes);
            }
        }
        List<Record> all = new ArrayList<>(adds.values());
        all.addAll(changes.values());
        return all;
    }

    /** A delete replaces any mark of the same id in the batch; a mark after it is then dropped. */
    private void remove(long id, Map<Long, Record> adds, Map<Long, Record> changes) {
        if (adds.remove(id) != null) {
            return;
        }
        if (live.contains(id)) {
            changes.remove(id);
            changes.put(id, new Record(Kind.DELETE, id, (byte) 0, NOTHING));
        }
    }

    // The record bodies: a format byte, then the fields (the message content is the broker's own bytes).

    private static byte[] encodeMessage(String queue, boolean delivered, byte[] content) throws StoreException {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(content.length + queue.length() + 8);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeBoolean(delivered);
            out.writeUTF(queue);
            out.write(content);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new StoreException("queue name cannot be stored: " + e.getMessage(), e);
        }
    }

    /** The delivered flag is the second byte of a message body. */
    private static byte[] markDelivered(byte[] body) {
        byte[] copy = body.clone();
        copy[1] = 1;
        return copy;
    }

    private static StoredMessage decodeMessage(long id, byte[] body) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            in.readUnsignedByte();
            boolean delivered = in.readBoolean();
            String queue = in.readUTF();
            byte[] content = in.readAllBytes();
            return new StoredMessage(id, queue, delivered, content);
        } catch (IOException e) {
            throw new UncheckedIOException("stored message " + id + " cannot be read", e);
        }
    }

    private static byte[] encodeSubscription(StoredSubscription s) throws StoreException {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeUTF(s.clientId());
            out.writeUTF(s.name());
            out.writeUTF(s.topic());
            out.writeBoolean(s.selector() != null);
            if (s.selector() != null) {
                out.writeUTF(s.selector());
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new StoreException("durable subscription cannot be stored: " + e.getMessage(), e);
        }
    }

    private static StoredSubscription decodeSubscription(long id, byte[] body) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            in.readUnsignedByte();
            String clientId = in.readUTF();
            String name = in.readUTF();
            String topic = in.readUTF();
            String selector = in.readBoolean() ? in.readUTF() : null;
            return new StoredSubscription(id, clientId, name, topic, selector);
        } catch (IOException e) {
            throw new UncheckedIOException("stored subscription " + id + " cannot be read", e);
        }
    }

    /** Artemis's critical IO error hook (and this store's own): from now on the store refuses writes. */
    private void failed(Throwable error, String message, String file) {
        synchronized (problemLock) {
            if (problem != null) {
                return;
            }
            String detail = error == null ? null : error.getMessage() != null ? error.getMessage() : error.toString();
            String what = message == null || message.isBlank() ? String.valueOf(detail)
                    : detail == null || detail.equals(message) ? message.trim() : message.trim() + ": " + detail;
            problem = "store " + folder + " cannot be written: " + what + (file != null ? " (file " + file + ")" : "");
        }
        LOG.log(Level.SEVERE, problem, error);
    }

    @Override
    public String problem() {
        return problem;
    }

    @Override
    public long records() {
        return live.size();
    }

    /** The largest record body the journal takes (a message's content plus its queue name and a few bytes). */
    @Override
    public long maxRecordBytes() {
        return maxRecordBytes;
    }

    @Override
    public synchronized void close() {
        JournalImpl j = journal;
        journal = null;
        stopQuietly(j);
        closeLock();
    }

    private void stopQuietly(JournalImpl j) {
        if (j != null) {
            try {
                j.stop();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "store " + folder + " did not close cleanly", e);
            }
        }
    }

    private void closeLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "store lock " + folder + " not released", e);
        }
        lock = null;
        lockChannel = null;
    }
}
