package dev.switchboard.standalone;

import dev.switchboard.Switchboard;
import dev.switchboard.config.SwitchboardConfig;
import jakarta.websocket.CloseReason;
import org.glassfish.grizzly.Buffer;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.server.NetworkListener;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Standalone only: a Grizzly filter right in front of Tyrus's WebSocket filter that reads the frame
 * headers of upgraded connections (and nothing of plain HTTP ones) before Tyrus buffers a byte,
 * for what Tyrus 2.1's decoder gets wrong: an unmasked client frame (RFC 6455 §5.1, it would be
 * echoed), a 64-bit length with its top bit set (§5.2, Tyrus fails with 1011 "-1"), and a message
 * over the endpoint's own limit, judged from the frame header and the sum of the fragments so far
 * (Tyrus would buffer up to its incoming buffer, ~2× the largest endpoint limit, then fail with 1011
 * "Buffer overflow."). Each is answered through Tyrus — a close frame with 1002 or 1009, the
 * endpoint's onClose, and the bounded teardown that follows every close (see
 * {@code connection.Transport}) — and every byte the peer sends afterwards is read and dropped.
 * The other frame rules (reserved bits, opcodes, control frames, fragmentation order, close
 * payloads) Tyrus already enforces, so they stay there.
 */
public final class WebSocketFrameGuard extends BaseFilter {

    private static final Logger LOG = Logger.getLogger(WebSocketFrameGuard.class.getName());

    /** An upgraded connection as the guard knows it: its frame scanner and its endpoint's path. */
    private record Guarded(FrameHeaderScanner scanner, String path) {
    }

    private static final Attribute<Guarded> GUARDED = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute(WebSocketFrameGuard.class.getName() + ".guarded");

    // Tyrus's own per-connection attribute (GrizzlyServerFilter.TYRUS_CONNECTION); Grizzly hands out
    // an attribute by its name. Through it the guard closes the way Tyrus itself would, via the SPI.
    private static final Attribute<org.glassfish.tyrus.spi.Connection> TYRUS_CONNECTION = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
            .createAttribute("org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter.Connection");
    private static final String TYRUS_FILTER = "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter";

    private final ToLongFunction<String> messageLimitByPath;
    private final Function<String, String> oversizeNoticeByPath;

    WebSocketFrameGuard(ToLongFunction<String> messageLimitByPath, Function<String, String> oversizeNoticeByPath) {
        this.messageLimitByPath = messageLimitByPath;
        this.oversizeNoticeByPath = oversizeNoticeByPath;
    }

    /** Puts the guard in front of Tyrus's filter on {@code listener}; call after registering the WebSocket add-on. */
    public static void install(NetworkListener listener, SwitchboardConfig config) {
        WebSocketFrameGuard guard = new WebSocketFrameGuard(path -> Switchboard.messageLimit(config, path),
                path -> Switchboard.oversizeNotice(config, path));
        listener.registerAddOn((NetworkListener l, FilterChainBuilder builder) -> builder.add(tyrusFilterIndex(builder), guard));
    }

    private static int tyrusFilterIndex(FilterChainBuilder builder) {
        try {
            int index = builder.indexOfType(Class.forName(TYRUS_FILTER).asSubclass(Filter.class));
            if (index >= 0) {
                return index;
            }
        } catch (ClassNotFoundException e) {
            // fall through
        }
        throw new IllegalStateException("the WebSocket frame guard goes in front of Tyrus's filter, which is not on the listener");
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        if (!(ctx.getMessage() instanceof HttpContent content)) {
            return ctx.getInvokeAction();
        }
        Connection<?> connection = ctx.getConnection();
        Guarded guarded = GUARDED.get(connection);
        if (guarded == null) {
            String path = upgradedPath(content);
            if (path == null) {
                return ctx.getInvokeAction(); // plain HTTP, or the upgrade request itself
            }
            guarded = new Guarded(new FrameHeaderScanner(messageLimitByPath.applyAsLong(path)), path);
            GUARDED.set(connection, guarded);
        }
        FrameHeaderScanner scanner = guarded.scanner();
        String notice = oversizeNoticeByPath.apply(guarded.path());
        Buffer bytes = content.getContent();
        boolean refusedBefore = scanner.violation() != null;
        FrameHeaderScanner.Violation violation = scanner.scan(bytes::get, bytes.position(), bytes.limit());
        if (violation == null) {
            return ctx.getInvokeAction();
        }
        if (refusedBefore) {
            return ctx.getStopAction(); // refused already: read and drop until the connection is gone
        }
        if (violation.frameStart() > bytes.position()) {
            // the whole frames before the offending one are still the peer's messages: Tyrus gets them first
            bytes.limit(violation.frameStart());
            ctx.addCompletionListener(done -> refuse(connection, violation, notice));
            return ctx.getInvokeAction();
        }
        refuse(connection, violation, notice);
        return ctx.getStopAction();
    }

    /** The request path of a connection Tyrus has upgraded (its 101 is out), else null. */
    private static String upgradedPath(HttpContent content) {
        if (content.getHttpHeader() instanceof HttpRequestPacket request
                && request.getResponse() != null && request.getResponse().getStatus() == 101
                && "websocket".equalsIgnoreCase(request.getUpgrade())) {
            return request.getRequestURI();
        }
        return null;
    }

    private static void refuse(Connection<?> connection, FrameHeaderScanner.Violation violation, String oversizeNotice) {
        LOG.log(Level.FINE, "closing {0} with {1}: {2}", new Object[] {connection.getPeerAddress(), violation.code(),
                violation.reason()});
        org.glassfish.tyrus.spi.Connection tyrus = TYRUS_CONNECTION.get(connection);
        if (tyrus == null) {
            connection.closeSilently(); // not Tyrus's (cannot happen after a 101): no session to tell
            return;
        }
        if (violation.code() == 1009 && oversizeNotice != null) {
            // queued on the same writer as the close frame, so it arrives first
            tyrus.getWriter().write(ByteBuffer.wrap(textFrame(oversizeNotice)), new CompletionHandler<>() { });
        }
        tyrus.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(violation.code()), violation.reason()));
    }

    /** An unmasked, unfragmented text frame from the server (RFC 6455 §5.2: FIN + opcode 1, then the length). */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(payload.length + 10);
        frame.put((byte) 0x81);
        if (payload.length < 126) {
            frame.put((byte) payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.put((byte) 126).putShort((short) payload.length);
        } else {
            frame.put((byte) 127).putLong(payload.length);
        }
        frame.put(payload).flip();
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }
}
