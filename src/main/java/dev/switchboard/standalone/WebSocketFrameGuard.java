package dev.switchboard.standalone;

import dev.switchboard.Switchboard;
import dev.switchboard.config.SwitchboardConfig;
import jakarta.websocket.CloseReason;
import org.glassfish.grizzly.Connection;
import org.glassfish.tyrus.container.grizzly.client.TaskProcessor;
import org.glassfish.tyrus.spi.CompletionHandler;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A 1009's close frame waits until the peer has sent the rest of the refused message (at most
 * {@link #DRAIN_GRACE}): Tyrus ends the TCP connection right after its close frame, and bytes
 * still arriving then make the kernel reset it, which can cost a client that is still writing
 * both the notice and the close it had not read yet (RFC 6455 §7.1.1 has the server close TCP
 * once both sides have closed).
 * The other frame rules (reserved bits, opcodes, control frames, fragmentation order, close
 * payloads) Tyrus already enforces, so they stay there.
 */
public final class WebSocketFrameGuard {

    private static final Logger LOG = Logger.getLogger(WebSocketFrameGuard.class.getName());

    /** How long a refused peer may go on sending the refused message before the close goes out anyway. */
    static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

    private final ToLongFunction<String> messageLimitByPath;
    private final Function<String, String> oversizeNoticeByPath;
    private final ScheduledExecutorService timer;

    WebSocketFrameGuard(ToLongFunction<String> messageLimitByPath, Function<String, String> oversizeNoticeByPath,
                        ScheduledExecutorService timer) {
        this.messageLimitByPath = messageLimitByPath;
        this.oversizeNoticeByPath = oversizeNoticeByPath;
        this.timer = timer;
    }

    /** The guard for the endpoints {@code config} describes; {@code timer} runs the drain graces. */
    static WebSocketFrameGuard of(SwitchboardConfig config, ScheduledExecutorService timer) {
        return new WebSocketFrameGuard(path -> Switchboard.messageLimit(config, path),
                path -> Switchboard.oversizeNotice(config, path), timer);
    }

    /** A scanner for one connection upgraded on {@code path} (its request URI). */
    FrameHeaderScanner scannerFor(String path) {
        return new FrameHeaderScanner(messageLimitByPath.applyAsLong(path));
    }

    /**
     * Refuses as the violation says: the oversize notice goes out at once (in the connection's read
     * order), the close when {@link Refusal#peerDone()} is called or after {@link #DRAIN_GRACE}.
     */
    Refusal refuse(Connection<?> connection, org.glassfish.tyrus.spi.Connection tyrus, TaskProcessor tasks,
                   FrameHeaderScanner.Violation violation, String path) {
        LOG.log(Level.FINE, "refusing {0} with {1}: {2}", new Object[] {connection.getPeerAddress(), violation.code(),
                violation.reason()});
        String notice = violation.code() == 1009 ? oversizeNoticeByPath.apply(path) : null;
        if (notice != null) {
            // queued on the same writer as the close frame, so it arrives first
            tasks.processTask(task(() -> tyrus.getWriter().write(ByteBuffer.wrap(textFrame(notice)),
                    new CompletionHandler<>() { })));
        }
        Refusal refusal = new Refusal(tyrus, tasks, violation);
        try {
            timer.schedule(refusal::peerDone, DRAIN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            refusal.peerDone();
        }
        return refusal;
    }

    /** One refused connection's close frame, sent once. */
    static final class Refusal {

        private final org.glassfish.tyrus.spi.Connection tyrus;
        private final TaskProcessor tasks;
        private final FrameHeaderScanner.Violation violation;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Refusal(org.glassfish.tyrus.spi.Connection tyrus, TaskProcessor tasks, FrameHeaderScanner.Violation violation) {
            this.tyrus = tyrus;
            this.tasks = tasks;
            this.violation = violation;
        }

        /** The peer has stopped sending what was refused (or its grace is over): the close frame goes out. */
        void peerDone() {
            if (closed.compareAndSet(false, true)) {
                tasks.processTask(task(() -> tyrus.close(new CloseReason(
                        CloseReason.CloseCodes.getCloseCode(violation.code()), violation.reason()))));
            }
        }
    }

    private static TaskProcessor.Task task(Runnable work) {
        return new TaskProcessor.Task() {
            @Override
            public void execute() {
                work.run();
            }
        };
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
