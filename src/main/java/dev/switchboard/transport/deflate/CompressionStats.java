package dev.switchboard.transport.deflate;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Bytes before and after permessage-deflate, both ways, for the metrics. */
public final class CompressionStats {

    private final LongAdder sentPlain = new LongAdder();
    private final LongAdder sentCompressed = new LongAdder();
    private final LongAdder receivedCompressed = new LongAdder();
    private final LongAdder receivedInflated = new LongAdder();
    private final LongAdder inflateRefusals = new LongAdder();
    /** Compressors and decompressors held by connections (with context takeover), each one native memory. */
    private final AtomicInteger held = new AtomicInteger();

    void sent(long plain, long compressed) {
        sentPlain.add(plain);
        sentCompressed.add(compressed);
    }

    void received(long compressed, long inflated) {
        receivedCompressed.add(compressed);
        receivedInflated.add(inflated);
    }

    void holding(int change) {
        held.addAndGet(change);
    }

    /** Compressors and decompressors connections hold now (those with context takeover keep theirs). */
    public int held() {
        return held.get();
    }

    void refused() {
        inflateRefusals.increment();
    }

    /** Payload bytes of the messages the server compressed, before compression. */
    public long sentPlainBytes() {
        return sentPlain.sum();
    }

    /** The same messages' payload bytes on the wire. */
    public long sentCompressedBytes() {
        return sentCompressed.sum();
    }

    public long receivedCompressedBytes() {
        return receivedCompressed.sum();
    }

    public long receivedInflatedBytes() {
        return receivedInflated.sum();
    }

    /** Messages that inflated past their endpoint's limit (closed 1009) or did not inflate (1007). */
    public long inflateRefusals() {
        return inflateRefusals.sum();
    }
}
