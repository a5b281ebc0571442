package dev.switchboard.transport;

import jakarta.websocket.Session;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The network connection under a {@link Session}, for the one thing Jakarta WebSocket cannot do:
 * end it now. {@code Session.close} only queues a close frame; when the peer stops reading, that
 * frame and everything before it wait forever, and so does the socket (RFC 6455 §7.1.1 wants the
 * server to close the TCP connection, after a close handshake that times out too).
 *
 * <p>Reaches into Tyrus (and Grizzly) internals, found by reflection, with the portable fallback
 * of doing nothing more than {@code Session.close}; with {@link TyrusHandshake}, the only place
 * outside the standalone launcher that knows the container is Tyrus:
 * <ul>
 *   <li>Tyrus's session → its {@code TyrusWebSocket} → {@code ProtocolHandler} → the SPI
 *       {@code Writer} the container gave it;</li>
 *   <li>standalone (Tyrus's Grizzly container), the writer's Grizzly connection, terminated at
 *       once: Grizzly fails its queued writes and closes the socket — the writer's own close would
 *       wait in line behind the writes the peer never takes;</li>
 *   <li>any other container (Payara: Tyrus's servlet writer), the SPI's {@code Writer.close()},
 *       which closes the servlet {@code WebConnection}; how soon its bytes go is then the server's.</li>
 * </ul>
 */
public final class Transport {

    private static final Logger LOG = Logger.getLogger(Transport.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private Transport() {
    }

    /** Ends the connection under {@code session} now, dropping what is still queued; true if it could. */
    public static boolean abort(Session session) {
        if (!Container.tyrus()) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.log(Level.INFO, "The WebSocket container is not Tyrus: a closed connection is left to the container"
                        + " (Session.close); when the socket of one whose peer stops reading goes is the container's");
            }
            return false; // the portable API has nothing but Session.close
        }
        try {
            Object writer = tyrusWriter(session);
            if (writer == null) {
                return unavailable("not a Tyrus session: " + session.getClass().getName(), null);
            }
            Object grizzly = fieldNamed(writer, "connection");
            if (grizzly != null) {
                Class<?> connectionType = Class.forName("org.glassfish.grizzly.Connection", false,
                        grizzly.getClass().getClassLoader());
                if (connectionType.isInstance(grizzly)) {
                    connectionType.getMethod("terminateSilently").invoke(grizzly);
                    return true;
                }
            }
            ((org.glassfish.tyrus.spi.Writer) writer).close();
            return true;
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException | LinkageError e) {
            return unavailable(e.toString(), e);
        }
    }

    private static Object tyrusWriter(Session session) throws ReflectiveOperationException {
        // the field, not getAsyncRemote(), which a closed session refuses
        Object remote = fieldNamed(session, "asyncRemote"); // TyrusSession.asyncRemote
        Object webSocket = remote == null ? null : fieldNamed(remote, "webSocket"); // TyrusRemoteEndpoint.webSocket
        if (webSocket == null) {
            return null;
        }
        Method handler = method(webSocket.getClass(), "getProtocolHandler"); // TyrusWebSocket
        Object protocolHandler = handler.invoke(webSocket);
        Object writer = fieldNamed(protocolHandler, "writer"); // ProtocolHandler.writer
        return writer instanceof org.glassfish.tyrus.spi.Writer ? writer : null;
    }

    private static Object fieldNamed(Object target, String name) throws IllegalAccessException {
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getName().equals(name)) {
                    field.setAccessible(true);
                    return field.get(target);
                }
            }
        }
        return null;
    }

    private static Method method(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            for (Method method : t.getDeclaredMethods()) {
                if (method.getName().equals(name) && method.getParameterCount() == 0) {
                    method.setAccessible(true);
                    return method;
                }
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name);
    }

    private static boolean unavailable(String why, Throwable cause) {
        LOG.log(Level.FINE, "cannot end the transport: " + why, cause);
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "Cannot end WebSocket connections under the container (" + why
                    + "): a closed connection whose peer stops reading keeps its socket until the peer goes", cause);
        }
        return false;
    }
}
