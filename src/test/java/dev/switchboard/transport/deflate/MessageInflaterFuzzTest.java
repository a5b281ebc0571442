package dev.switchboard.transport.deflate;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Coverage-guided fuzzing of the inflate side: any frames a client sends either inflate within the
 * limit, or are refused (too big, corrupt) — never an exception, never a payload over the limit,
 * never more frames taken after a refusal.
 */
class MessageInflaterFuzzTest {

    private static final int LIMIT = 4096;

    @FuzzTest(maxDuration = "15s")
    void inflatingStaysWithinTheLimitOrRefuses(FuzzedDataProvider data) {
        ZlibPool<Inflater> pool = new ZlibPool<>(1, () -> new Inflater(true), Inflater::reset, Inflater::end);
        ZlibPool<Deflater> unused = new ZlibPool<>(0, () -> new Deflater(1, true), Deflater::reset, Deflater::end);
        CompressionStats stats = new CompressionStats();
        MessageInflater inflater = new MessageInflater(LIMIT, data.consumeBoolean(), pool, stats);
        long message = 0;
        try {
            for (int frames = 0; frames < 8 && data.remainingBytes() > 0; frames++) {
                boolean first = frames == 0 || data.consumeBoolean();
                boolean fin = data.consumeBoolean();
                byte[] payload = data.consumeBytes(data.consumeInt(0, 2048));
                MessageInflater.Result result = inflater.frame(first, fin, payload, payload.length);
                if (result instanceof MessageInflater.Inflated inflated) {
                    message = (first ? 0 : message) + inflated.payload().length;
                    if (message > LIMIT) {
                        throw new IllegalStateException("a message of " + message + " bytes passed a limit of " + LIMIT);
                    }
                } else {
                    if (inflater.holdsDecompressor()) {
                        throw new IllegalStateException("a refused connection still holds its decompressor");
                    }
                    if (!(inflater.frame(true, true, payload, payload.length) instanceof MessageInflater.Corrupt)) {
                        throw new IllegalStateException("a frame was inflated after a refusal");
                    }
                    return;
                }
            }
        } finally {
            inflater.release();
            pool.close();
            unused.close();
        }
    }
}
