package dev.switchboard.standalone;

import dev.switchboard.transport.FrameUnmasker;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpCodecFilter;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.container.grizzly.client.TaskProcessor;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOns;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.ServerContainer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Standalone only: takes each connection Tyrus upgrades out of Grizzly's HTTP codec. Without this,
 * the codec keeps the upgrade request (its header chunks, buffers, response and keep-alive state,
 * about 10 KiB) for the whole life of the WebSocket and parses every read as HTTP content on the
 * way to Tyrus. Here:
 * <ul>
 * <li>{@link Handshakes} wraps Tyrus's own filter where Tyrus's add-on would put it; in the same
 *     read that completes a handshake (so no later read can slip past), it marks the connection as
 *     upgraded and drops the codec's two per-connection attributes;</li>
 * <li>{@link Reads}, in front of the codec, hands every later read of a marked connection through
 *     the {@link WebSocketFrameGuard} straight to Tyrus's read handler — on the connection's own
 *     {@code TaskProcessor}, exactly as Tyrus's {@code GrizzlyServerFilter} does, so reads stay in
 *     order with each other and with Tyrus's close.</li>
 * </ul>
 * The filter chain itself is never swapped: swapping a connection's processor races with the read
 * already under way.
 *
 * <p>Tyrus internals, all here (and in {@link WebSocketAddOns}, which only creates Tyrus's
 * package-private filter): the two connection attributes {@code GrizzlyServerFilter} keeps by name
 * (its {@code spi.Connection} and its {@code TaskProcessor}), and {@code TaskProcessor} itself
 * (public, in tyrus-container-grizzly-client). Grizzly: the codec's attribute names (public
 * constants or fixed strings in {@code org.glassfish.grizzly.http.HttpServerFilter}).
 */
final class UpgradedConnections {

    /** Set on a connection in the read that completed its handshake. */
    private static final class Upgraded {
        final String path;
        final FrameHeaderScanner scanner;
        final FrameUnmasker unmasker = new FrameUnmasker();
        WebSocketFrameGuard.Refusal refusal; // set and read by the connection's reads, one at a time

        Upgraded(String path, FrameHeaderScanner scanner) {
            this.path = path;
            this.scanner = scanner;
        }
    }

    private static final Attribute<Upgraded> UPGRADED = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute(UpgradedConnections.class.getName() + ".upgraded");

    // Grizzly hands out an attribute by its name, so these are the very attributes Tyrus and the codec use.
    private static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";
    private static final Attribute<org.glassfish.tyrus.spi.Connection> TYRUS_CONNECTION =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(TYRUS_FILTER + ".Connection");
    private static final Attribute<TaskProcessor> TYRUS_TASKS =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(TaskProcessor.class.getName() + ".TaskProcessor");
    private static final Attribute<Object> CODEC_REQUEST = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute(org.glassfish.grizzly.http.HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME);
    private static final Attribute<Object> CODEC_KEEP_ALIVE = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute("HttpServerFilter.KeepAliveContext");

    private UpgradedConnections() {
    }

    /**
     * Puts Tyrus's filter (wrapped) in front of the HTTP server filter, as Tyrus's own add-on would,
     * and the read bypass in front of the HTTP codec; register after {@link HttpRequestGuard#addOn()}
     * so the request guard still sees every byte first.
     */
    static AddOn addOn(ServerContainer container, String contextPath, WebSocketFrameGuard guard) {
        Filter tyrus = WebSocketAddOns.serverFilter(container, contextPath);
        return (NetworkListener listener, FilterChainBuilder builder) -> {
            int httpServer = builder.indexOfType(HttpServerFilter.class);
            if (httpServer < 0) {
                throw new IllegalStateException("no HTTP server filter on the listener for the WebSocket upgrade");
            }
            builder.add(httpServer, new Handshakes(tyrus, guard));
            builder.add(builder.indexOfType(HttpCodecFilter.class), new Reads(guard));
        };
    }

    /** Tyrus's filter, plus taking the connection out of HTTP once it has upgraded. */
    static final class Handshakes extends BaseFilter {

        private final Filter tyrus;
        private final WebSocketFrameGuard guard;

        Handshakes(Filter tyrus, WebSocketFrameGuard guard) {
            this.tyrus = tyrus;
            this.guard = guard;
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            Connection<?> connection = ctx.getConnection();
            HttpContent content = ctx.getMessage() instanceof HttpContent c ? c : null;
            NextAction next = tyrus.handleRead(ctx);
            if (content != null && UPGRADED.get(connection) == null && TYRUS_CONNECTION.get(connection) != null
                    && content.getHttpHeader() instanceof HttpRequestPacket request) {
                String path = request.getRequestURI();
                Upgraded upgraded = new Upgraded(path, guard.scannerFor(path));
                UPGRADED.set(connection, upgraded);
                // from here on the codec never sees this connection: its request state can go
                CODEC_REQUEST.remove(connection);
                CODEC_KEEP_ALIVE.remove(connection);
                // bytes a client sent right behind its request, before the 101 (Tyrus drops them)
                Buffer early = content.getContent();
                if (early != null && early.hasRemaining()) {
                    Reads.receive(connection, upgraded, early, guard);
                }
            }
            return next;
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            return tyrus.handleClose(ctx);
        }
    }

    /** In front of the HTTP codec: an upgraded connection's bytes go through the frame guard to Tyrus. */
    static final class Reads extends BaseFilter {

        private final WebSocketFrameGuard guard;

        Reads(WebSocketFrameGuard guard) {
            this.guard = guard;
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            Connection<?> connection = ctx.getConnection();
            Upgraded upgraded = UPGRADED.get(connection);
            if (upgraded == null) {
                return ctx.getInvokeAction(); // HTTP, or a handshake under way
            }
            receive(connection, upgraded, ctx.getMessage(), guard);
            return ctx.getStopAction();
        }

        static void receive(Connection<?> connection, Upgraded upgraded, Buffer bytes, WebSocketFrameGuard guard) {
            org.glassfish.tyrus.spi.Connection tyrus = TYRUS_CONNECTION.get(connection);
            TaskProcessor tasks = TYRUS_TASKS.get(connection);
            if (tyrus == null || tasks == null) {
                return; // Tyrus has closed it: nobody to read for
            }
            FrameHeaderScanner scanner = upgraded.scanner;
            boolean refusedBefore = scanner.violation() != null;
            FrameHeaderScanner.Violation violation = scanner.scan(bytes::get, bytes.position(), bytes.limit());
            if (violation == null) {
                deliver(tyrus.getReadHandler(), tasks, upgraded.unmasker, bytes);
                return;
            }
            if (!refusedBefore) {
                // the whole frames before the offending one are still the peer's messages: Tyrus gets them first
                if (violation.frameStart() > bytes.position()) {
                    bytes.limit(violation.frameStart());
                    deliver(tyrus.getReadHandler(), tasks, upgraded.unmasker, bytes);
                }
                upgraded.refusal = guard.refuse(connection, tyrus, tasks, violation, upgraded.path);
            }
            // refused: every byte is read and dropped until the connection is gone
            if (scanner.refusedMessageEnded()) {
                upgraded.refusal.peerDone();
            }
        }

        /**
         * What {@code GrizzlyServerFilter.handleRead} does with a frame's bytes, minus the HTTP
         * wrapping, and unmasked by us ({@link FrameUnmasker}: Tyrus's unmasking was most of an echo's CPU).
         */
        private static void deliver(ReadHandler handler, TaskProcessor tasks, FrameUnmasker unmasker, Buffer bytes) {
            if (!bytes.hasRemaining()) {
                return;
            }
            ByteBuffer frames = unmasker.unmask(bytes.remaining(), (to, offset) -> bytes.get(to, offset, to.length - offset));
            if (frames.hasRemaining()) {
                tasks.processTask(new Read(handler, frames));
            }
        }
    }

    private static final class Read extends TaskProcessor.Task {
        private final ReadHandler handler;
        private final ByteBuffer bytes;

        Read(ReadHandler handler, ByteBuffer bytes) {
            this.handler = handler;
            this.bytes = bytes;
        }

        @Override
        public void execute() {
            handler.handle(bytes);
        }
    }
}
