package dev.switchboard.broker.store;

import java.nio.file.Path;
import java.time.Duration;

import dev.switchboard.broker.store.MessageStore.Batch;

/**
 * Run in its own JVM by {@link JournalStoreCrashTest}, which kills it with SIGKILL: writes durable
 * records without end and prints each id once write() has returned ("+id" stored, "-id" removed).
 * Arguments: the store folder, the sync policy.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        StoreSettings settings = new StoreSettings(Path.of(args[0]), StoreSettings.Sync.parse(args[1]),
                Duration.ofMillis(3), 256 * 1024);
        JournalStore store = new JournalStore(settings);
        store.open();
        System.out.println("open");
        System.out.flush();
        for (long n = 0; ; n++) {
            long id = store.nextId();
            if (n % 3 == 2) {
                long other = store.nextId();
                store.write(new Batch().addMessage(id, "/queue/a", StoreFiles.content(id))
                        .addMessage(other, "/queue/b", StoreFiles.content(other)), true);
                System.out.println("+" + id);
                System.out.println("+" + other);
            } else {
                store.write(new Batch().addMessage(id, "/queue/a", StoreFiles.content(id)), true);
                System.out.println("+" + id);
            }
            if (n % 5 == 4) {
                long old = id - 3;
                store.write(new Batch().removeMessage(old), true);
                System.out.println("-" + old);
            }
            System.out.flush();
        }
    }
}
