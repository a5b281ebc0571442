package dev.switchboard.ops;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code data-dir}: the node's folder for what must survive a restart (the STOMP store). Made when
 * missing; one that cannot be made or written stops startup with a message naming it; and it is
 * locked for as long as the application runs, so that a second process pointed at the same folder
 * refuses to start instead of writing the same files.
 */
public final class DataDirectory implements AutoCloseable {

    private final Path path;
    private final FileChannel lockFile;
    private final FileLock lock;

    private DataDirectory(Path path, FileChannel lockFile, FileLock lock) {
        this.path = path;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Where the folder is when {@code data-dir} is not set: in an application server a folder under
     * its instance (Payara and GlassFish: {@code com.sun.aas.instanceRoot}; WildFly:
     * {@code jboss.server.data.dir}), standalone {@code switchboard-data} in the working directory.
     */
    public static Path defaultPath() {
        String glassfish = System.getProperty("com.sun.aas.instanceRoot");
        if (glassfish != null) {
            return Path.of(glassfish, "switchboard-data");
        }
        String wildfly = System.getProperty("jboss.server.data.dir");
        if (wildfly != null) {
            return Path.of(wildfly, "switchboard");
        }
        return Path.of("switchboard-data");
    }

    /** Opens (makes, checks, locks) the folder; {@code configured} null means {@link #defaultPath()}. */
    public static DataDirectory open(String configured) {
        Path path = (configured == null ? defaultPath() : Path.of(configured)).toAbsolutePath().normalize();
        try {
            Files.createDirectories(path);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("data-dir " + path + " cannot be created: " + e, e);
        }
        Path probe = path.resolve(".write-check");
        try {
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalStateException("data-dir " + path + " cannot be written: " + e, e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("data-dir " + path + " is in use by another process (" + path.resolve(".lock")
                        + " is locked): give each Switchboard node its own data-dir");
            }
            return new DataDirectory(path, channel, lock);
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new IllegalStateException("data-dir " + path + " is in use (its lock cannot be taken): " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(lockFile);
    }
}
