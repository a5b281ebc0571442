package dev.switchboard.transport;

import jakarta.websocket.Session;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tyrus's raw frame writer under a session, when the container offers it: Switchboard frames a
 * broadcast once ({@link ServerFrames}) and hands every receiver the same bytes, where the Jakarta
 * API would have Tyrus encode the message again for each — a charset encoder, a frame and a copy
 * per receiver.
 *
 * <p>What it needs, found by reflection on the session's own classes (Payara's Tyrus is in another
 * class loader than the application, so nothing may be placed in Tyrus's package):
 * <ul>
 *   <li>the session's {@code asyncRemote} (a {@code TyrusRemoteEndpoint}) and its package-private
 *       {@code webSocket} field;</li>
 *   <li>a public {@code TyrusWebSocket.sendRawFrame(ByteBuffer)} (Tyrus 2.0–2.2), which takes
 *       the protocol handler's per-connection lock like every other send, so the order of a
 *       connection's messages holds across both;</li>
 *   <li>its future a {@code CompletableFuture} ({@code TyrusFuture} is one since 2.1.4), so the
 *       send queue learns when the bytes are written.</li>
 * </ul>
 * Anything missing (another container, an older Tyrus), a session that negotiated extensions (a
 * compressed session needs frames of its own), or {@code transport.fast-path=off}: null, and the
 * connection uses the Jakarta API as before. Which path a kind of session takes, and why, is
 * logged once.
 */
public final class FastPath {

    private static final Logger LOG = Logger.getLogger(FastPath.class.getName());
    private static final AtomicBoolean SWITCHED_OFF_LOGGED = new AtomicBoolean();
    /** What a kind of session offers, found on its first instance (every session of a class has the same parts). */
    private static final Map<Class<?>, Probe> PROBES = new ConcurrentHashMap<>();
    /** Sessions that took each path since the start (what a test or a heap dump can tell apart). */
    private static final LongAdder FAST_SESSIONS = new LongAdder();
    private static final LongAdder JAKARTA_SESSIONS = new LongAdder();

    private FastPath() {
    }

    /** The session's raw frame writer, or null when its messages must go through the Jakarta API. */
    public static FrameWriter writer(Session session, boolean enabled) {
        List<?> extensions;
        try {
            extensions = session.getNegotiatedExtensions();
        } catch (RuntimeException closed) {
            JAKARTA_SESSIONS.increment();
            return null;
        }
        FrameWriter writer = resolve(session, extensions, enabled);
        (writer == null ? JAKARTA_SESSIONS : FAST_SESSIONS).increment();
        return writer;
    }

    /**
     * The session's raw writer although it negotiated extensions, for a caller that writes only
     * frames its extension would have made itself (a compressed frame shared by the receivers
     * without context takeover): the raw writer is below every extension, nothing is done to them
     * again. Null when the fast path is off or not offered.
     */
    public static FrameWriter writerBelowExtensions(Session session, boolean enabled) {
        return resolve(session, List.of(), enabled);
    }

    static long fastSessions() {
        return FAST_SESSIONS.sum();
    }

    static long jakartaSessions() {
        return JAKARTA_SESSIONS.sum();
    }

    /** {@link #writer} over the session's parts, for tests that stand in for a container. */
    static FrameWriter resolve(Object session, List<?> extensions, boolean enabled) {
        if (!enabled) {
            if (SWITCHED_OFF_LOGGED.compareAndSet(false, true)) {
                LOG.info("transport.fast-path=off: every WebSocket message goes through the Jakarta API");
            }
            return null;
        }
        if (extensions != null && !extensions.isEmpty()) {
            LOG.log(Level.FINE, "extensions negotiated ({0}): the Jakarta API frames this session's messages", extensions);
            return null;
        }
        Probe probe = PROBES.computeIfAbsent(session.getClass(), type -> Probe.of(session));
        return probe.writer(session);
    }

    /** Why a kind of session takes the Jakarta API path, or null when it takes the fast path (for tests and logs). */
    static String unavailable(Object session) {
        return PROBES.computeIfAbsent(session.getClass(), type -> Probe.of(session)).unavailable;
    }

    /** How to reach the raw writer of one kind of session, or why not. */
    private static final class Probe {
        private static final MethodType WRITE = MethodType.methodType(Object.class, Object.class, ByteBuffer.class);

        final Field asyncRemote;
        final Field webSocket;
        final MethodHandle sendRawFrame;
        final String unavailable;
        final AtomicBoolean futureWarned = new AtomicBoolean();

        private Probe(Field asyncRemote, Field webSocket, MethodHandle sendRawFrame, String unavailable) {
            this.asyncRemote = asyncRemote;
            this.webSocket = webSocket;
            this.sendRawFrame = sendRawFrame;
            this.unavailable = unavailable;
        }

        static Probe of(Object session) {
            Probe probe = find(session);
            String kind = session.getClass().getName();
            if (probe.unavailable == null) {
                LOG.info("WebSocket fast path on for " + kind + ": broadcasts are framed once and written with "
                        + probe.webSocket.getType().getName() + ".sendRawFrame");
            } else {
                LOG.info("WebSocket fast path off for " + kind + " (" + probe.unavailable
                        + "): messages go through the Jakarta API");
            }
            return probe;
        }

        private static Probe unavailable(String why) {
            return new Probe(null, null, null, why);
        }

        private static Probe find(Object session) {
            try {
                Field remoteField = field(session.getClass(), "asyncRemote"); // TyrusSession.asyncRemote
                if (remoteField == null) {
                    return unavailable("not a Tyrus session: no asyncRemote field");
                }
                Object remote = remoteField.get(session);
                if (remote == null) {
                    return unavailable("the session has no remote endpoint");
                }
                Field socketField = field(remote.getClass(), "webSocket"); // TyrusRemoteEndpoint.webSocket
                if (socketField == null) {
                    return unavailable("no webSocket field on " + remote.getClass().getName());
                }
                Class<?> socketType = socketField.getType();
                Method raw;
                try {
                    raw = socketType.getMethod("sendRawFrame", ByteBuffer.class);
                } catch (NoSuchMethodException e) {
                    return unavailable("no public " + socketType.getName() + ".sendRawFrame(ByteBuffer)");
                }
                if (!Modifier.isPublic(socketType.getModifiers()) || !Modifier.isPublic(raw.getModifiers())) {
                    return unavailable(socketType.getName() + ".sendRawFrame is not public");
                }
                if (!completable(raw.getReturnType(), socketType)) {
                    return unavailable(socketType.getName() + ".sendRawFrame's future is not a CompletableFuture"
                            + " (Tyrus before 2.1.4)");
                }
                MethodHandle handle = MethodHandles.publicLookup().unreflect(raw).asType(WRITE);
                return new Probe(remoteField, socketField, handle, null);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.log(Level.FINE, "WebSocket fast path probe failed", e);
                return unavailable(e.toString());
            }
        }

        /** The declared future, or Tyrus's own {@code TyrusFuture} next to the socket class, completes as a CompletableFuture. */
        private static boolean completable(Class<?> returned, Class<?> socketType) {
            if (CompletableFuture.class.isAssignableFrom(returned)) {
                return true;
            }
            try {
                Class<?> tyrusFuture = Class.forName(socketType.getPackageName() + ".TyrusFuture", false,
                        socketType.getClassLoader());
                return CompletableFuture.class.isAssignableFrom(tyrusFuture) && returned.isAssignableFrom(tyrusFuture);
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        FrameWriter writer(Object session) {
            if (unavailable != null) {
                return null;
            }
            try {
                Object remote = asyncRemote.get(session);
                Object socket = remote == null ? null : webSocket.get(remote);
                return socket == null ? null : frames -> write(socket, frames);
            } catch (IllegalAccessException | IllegalArgumentException e) { // a session of the class built otherwise
                LOG.log(Level.FINE, "no raw writer under " + session, e);
                return null;
            }
        }

        private CompletableFuture<?> write(Object socket, ByteBuffer frames) {
            Object future;
            try {
                future = (Object) sendRawFrame.invokeExact(socket, frames);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                return CompletableFuture.failedFuture(e);
            }
            if (future instanceof CompletableFuture<?> completable) {
                return completable;
            }
            // not what the probe saw: the bytes went; their writing can only be taken on trust
            if (futureWarned.compareAndSet(false, true)) {
                LOG.warning("sendRawFrame returned a " + (future == null ? "null" : future.getClass().getName())
                        + ", not a CompletableFuture: the send queue cannot follow the fast path's writes");
            }
            return CompletableFuture.completedFuture(future);
        }

        private static Field field(Class<?> type, String name) {
            for (Class<?> t = type; t != null; t = t.getSuperclass()) {
                for (Field field : t.getDeclaredFields()) {
                    if (field.getName().equals(name) && !Modifier.isStatic(field.getModifiers())) {
                        field.setAccessible(true);
                        return field;
                    }
                }
            }
            return null;
        }
    }
}
