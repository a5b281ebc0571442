package dev.switchboard.standalone;

import dev.switchboard.Switchboard;
import dev.switchboard.config.SwitchboardConfig;
import jakarta.websocket.CloseReason;
import org.glassfish.grizzly.Connection;
import org.glassfish.tyrus.spi.CompletionHandler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Standalone only: the frame-header checks for upgraded connections that Tyrus 2.1's decoder gets
 * wrong, applied by {@link UpgradedConnections} to every read before Tyrus buffers a byte: an
 * unmasked client frame (RFC 6455 §5.1, it would be echoed), a 64-bit length with its top bit set
 * (§5.2, Tyrus fails with 1011 "-1"), and a message over the endpoint's own limit, judged from the
 * frame header and the sum of the fragments so far (Tyrus would buffer up to its incoming buffer,
 * ~2× the largest endpoint limit, then fail with 1011 "Buffer overflow."). Each is answered through
 * Tyrus — a close frame with 1002 or 1009 (after the endpoint's oversize notice, if it has one),
 * the endpoint's onClose, and the bounded teardown that follows every close (see
 * {@code connection.Transport}) — and every byte the peer sends afterwards is read and dropped.
 * The other frame rules (reserved bits, opcodes, control frames, fragmentation order, close
 * payloads) Tyrus already enforces, so they stay there.
 */
public final class WebSocketFrameGuard {

    private static final Logger LOG = Logger.getLogger(WebSocketFrameGuard.class.getName());

    private final ToLongFunction<String> messageLimitByPath;
    private final Function<String, String> oversizeNoticeByPath;

    WebSocketFrameGuard(ToLongFunction<String> messageLimitByPath, Function<String, String> oversizeNoticeByPath) {
        this.messageLimitByPath = messageLimitByPath;
        this.oversizeNoticeByPath = oversizeNoticeByPath;
    }

    /** The guard for the endpoints {@code config} describes. */
    static WebSocketFrameGuard of(SwitchboardConfig config) {
        return new WebSocketFrameGuard(path -> Switchboard.messageLimit(config, path),
                path -> Switchboard.oversizeNotice(config, path));
    }

    /** A scanner for one connection upgraded on {@code path} (its request URI). */
    FrameHeaderScanner scannerFor(String path) {
        return new FrameHeaderScanner(messageLimitByPath.applyAsLong(path));
    }

    /** Closes {@code tyrus} as the violation says, the oversize notice first; runs in the connection's read order. */
    void refuse(Connection<?> connection, org.glassfish.tyrus.spi.Connection tyrus, FrameHeaderScanner.Violation violation,
                String path) {
        LOG.log(Level.FINE, "closing {0} with {1}: {2}", new Object[] {connection.getPeerAddress(), violation.code(),
                violation.reason()});
        String notice = violation.code() == 1009 ? oversizeNoticeByPath.apply(path) : null;
        if (notice != null) {
            // queued on the same writer as the close frame, so it arrives first
            tyrus.getWriter().write(ByteBuffer.wrap(textFrame(notice)), new CompletionHandler<>() { });
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
