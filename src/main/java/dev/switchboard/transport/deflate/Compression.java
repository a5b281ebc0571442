package dev.switchboard.transport.deflate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * permessage-deflate (RFC 7692) for the endpoints that carry text, with the {@code compression},
 * {@code compression.level} and {@code compression.min-bytes} keys: what an endpoint's config
 * installs, the shared compressors of the connections without context takeover, and the counts.
 * Needs Tyrus (its extension SPI); in another container nothing is installed and connections go
 * uncompressed.
 */
public final class Compression implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Compression.class.getName());
    /** Idle shared compressors kept, each way; more are made when needed and ended when given back. */
    private static final int POOL_IDLE = 2 * Runtime.getRuntime().availableProcessors();

    private final boolean enabled;
    private final int minBytes;
    private final CompressionStats stats = new CompressionStats();
    private final ZlibPool<Deflater> deflaters;
    private final ZlibPool<Inflater> inflaters;
    /** What every connection without server context takeover shares: one compressed frame per broadcast. */
    private final SharedDeflater shared;

    /** The server answers server_no_context_takeover to every offer, asked for or not. */
    private final boolean serverNoContextTakeover;

    private Compression(boolean on, int level, int minBytes, boolean serverNoContextTakeover) {
        this.enabled = on && tyrusPresent();
        this.serverNoContextTakeover = serverNoContextTakeover;
        this.minBytes = minBytes;
        this.deflaters = new ZlibPool<>(POOL_IDLE, () -> new Deflater(level, true), Deflater::reset, Deflater::end);
        this.inflaters = new ZlibPool<>(POOL_IDLE, () -> new Inflater(true), Inflater::reset, Inflater::end);
        this.shared = new SharedDeflater(level, minBytes, deflaters, stats);
    }

    /**
     * @param on       {@code compression}
     * @param level    {@code compression.level}, 1 (fastest) to 9
     * @param minBytes {@code compression.min-bytes}: shorter messages go out as they are
     */
    public static Compression of(boolean on, int level, int minBytes) {
        return new Compression(on, level, minBytes, false);
    }

    /**
     * {@link #of(boolean, int, int)}; with {@code serverNoContextTakeover} every connection is
     * answered {@code server_no_context_takeover} (RFC 7692 §7.1.1.1), whatever it offered: no
     * compressor per connection (~120–300 KiB of native memory each with context takeover) and one
     * compressed frame per broadcast for all receivers, but each message compresses alone — chat
     * JSON about 1.25× smaller instead of about 5×. Off by default: see docs/capacity.md.
     */
    public static Compression of(boolean on, int level, int minBytes, boolean serverNoContextTakeover) {
        return new Compression(on, level, minBytes, serverNoContextTakeover);
    }

    boolean serverNoContextTakeover() {
        return serverNoContextTakeover;
    }

    /** True when connections are offered compression (the key is on and the container is Tyrus). */
    public boolean enabled() {
        return enabled;
    }

    /** What an endpoint's config lists as installed: permessage-deflate, or nothing. */
    public List<Extension> extensions() {
        return enabled ? List.of(Installed.INSTANCE) : List.of();
    }

    /**
     * The endpoint's configurator, negotiating permessage-deflate for messages up to
     * {@code maxMessageBytes} inflated (the endpoint's own limit: past it, 1009).
     */
    public ServerEndpointConfig.Configurator negotiating(ServerEndpointConfig.Configurator endpoint,
                                                         int maxMessageBytes) {
        return enabled ? new NegotiatingConfigurator(endpoint, this, maxMessageBytes) : endpoint;
    }

    /** One connection's extension, with what its handshake agreed. */
    Extension connection(DeflateOffer.Agreement agreement, int maxMessageBytes) {
        MessageDeflater out = new MessageDeflater(minBytes, agreement.serverNoContextTakeover(), deflaters, stats);
        MessageInflater in = new MessageInflater(maxMessageBytes, agreement.clientNoContextTakeover(), inflaters, stats);
        return new PerMessageDeflate(agreement, out, in, agreement.serverNoContextTakeover() ? shared : null);
    }

    public CompressionStats stats() {
        return stats;
    }

    /** {@code switchboard.compression.*}: payload bytes before and after, each way. */
    public void registerMetrics(MeterRegistry registry) {
        FunctionCounter.builder("switchboard.compression.sent.bytes", stats, CompressionStats::sentPlainBytes)
                .tag("stage", "plain").baseUnit("bytes")
                .description("Payload bytes of compressed outgoing messages, before compression").register(registry);
        FunctionCounter.builder("switchboard.compression.sent.bytes", stats, CompressionStats::sentCompressedBytes)
                .tag("stage", "compressed").baseUnit("bytes")
                .description("Payload bytes of compressed outgoing messages, on the wire").register(registry);
        FunctionCounter.builder("switchboard.compression.received.bytes", stats, CompressionStats::receivedCompressedBytes)
                .tag("stage", "compressed").baseUnit("bytes")
                .description("Payload bytes of compressed incoming messages, on the wire").register(registry);
        FunctionCounter.builder("switchboard.compression.received.bytes", stats, CompressionStats::receivedInflatedBytes)
                .tag("stage", "plain").baseUnit("bytes")
                .description("Payload bytes of compressed incoming messages, inflated").register(registry);
        FunctionCounter.builder("switchboard.compression.refused", stats, CompressionStats::inflateRefusals)
                .description("Incoming compressed messages refused: inflating past the limit (1009) or invalid (1007)")
                .register(registry);
        Gauge.builder("switchboard.compression.contexts", stats, CompressionStats::held)
                .description("Compressors (up to ~256 KiB of native memory each) and decompressors (~40 KiB) "
                        + "held by connections now").register(registry);
    }

    /** The shared compressors' native memory goes (the server stops). */
    @Override
    public void close() {
        deflaters.close();
        inflaters.close();
    }

    private static boolean tyrusPresent() {
        if (!dev.switchboard.transport.Container.tyrus()) {
            LOG.log(Level.INFO, "compression: the container is not Tyrus, permessage-deflate is not offered");
            return false;
        }
        return true;
    }

    /** The name an endpoint lists; each connection gets its own {@link PerMessageDeflate}. */
    private enum Installed implements Extension {
        INSTANCE;

        @Override
        public String getName() {
            return DeflateOffer.NAME;
        }

        @Override
        public List<Parameter> getParameters() {
            return List.of();
        }
    }
}
