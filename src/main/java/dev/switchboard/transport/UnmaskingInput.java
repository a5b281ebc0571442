package dev.switchboard.transport;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An upgraded servlet connection's input as Tyrus's servlet reader ({@code TyrusHttpUpgradeHandler})
 * reads it, with the client's frames unmasked on the way ({@link FrameUnmasker}, eight bytes at a
 * time): Tyrus's {@code Masker} unmasks a byte at a time, 81% of Payara's CPU in a 4 KiB echo.
 * The same frames in the same order; a read that ends inside a frame header gives those bytes
 * (at most 14) with the next read. Tyrus reads unmasked frames as they are, as it does standalone.
 *
 * <p>Tyrus's reader asks {@code available()}, reads into an array of that size and loops while
 * {@code isReady()}; a read that unmasks to more than the caller's array (a held header before
 * it) keeps the rest here, and {@code isReady()} stays true until it is taken. Reads of one
 * connection come one at a time (the servlet container's read listener), so nothing is locked.
 */
final class UnmaskingInput extends ServletInputStream {

    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private final ServletInputStream in;
    private final FrameUnmasker unmasker = new FrameUnmasker();
    /** Unmasked bytes the last read could not hand over. */
    private ByteBuffer pending = NONE;

    UnmaskingInput(ServletInputStream in) {
        this.in = in;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!pending.hasRemaining()) {
            byte[] read = new byte[length];
            int count = in.read(read, 0, length);
            if (count <= 0) {
                return count; // nothing now, or the end: as the container said
            }
            pending = unmasker.unmask(count, (to, at) -> System.arraycopy(read, 0, to, at, count));
            if (!pending.hasRemaining()) {
                return 0; // only part of a header so far
            }
        }
        int count = Math.min(length, pending.remaining());
        pending.get(into, offset, count);
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int count;
        do {
            count = read(one, 0, 1); // each round takes at least a byte from the container, or ends
        } while (count == 0);
        return count < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int available() throws IOException {
        return pending.remaining() + in.available();
    }

    @Override
    public boolean isReady() {
        return pending.hasRemaining() || in.isReady();
    }

    @Override
    public boolean isFinished() {
        return !pending.hasRemaining() && in.isFinished();
    }

    @Override
    public void setReadListener(ReadListener listener) {
        in.setReadListener(listener);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
