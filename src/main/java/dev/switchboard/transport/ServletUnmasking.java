package dev.switchboard.transport;

import jakarta.websocket.Session;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * In a servlet container (Payara), the client's frames are unmasked by Switchboard before Tyrus
 * reads them, as the standalone server does in its Grizzly filter: Tyrus's servlet reader
 * ({@code TyrusHttpUpgradeHandler}) gets an {@link UnmaskingInput} in place of the connection's
 * {@code ServletInputStream}.
 *
 * <p>Reached from the session in {@code onOpen}: session → {@code asyncRemote} → {@code webSocket}
 * → its protocol handler's {@code writer} (Tyrus's {@code TyrusServletWriter}) → its
 * {@code tyrusHttpUpgradeHandler} (through Tyrus's proxy, when it is one) → the {@code is} field.
 * {@code onOpen} runs inside the handler's {@code init}, after it set {@code is} and before it lets
 * its first read go on (each read waits for {@code init}'s latch), so no byte is read before the
 * swap. Anything else — the standalone server (Grizzly's writer), another container,
 * {@code transport.fast-path=off} — is left as it is.
 */
public final class ServletUnmasking {

    private static final Logger LOG = Logger.getLogger(ServletUnmasking.class.getName());
    private static final AtomicBoolean LOGGED = new AtomicBoolean();
    private static final LongAdder UNMASKED = new LongAdder();

    private ServletUnmasking() {
    }

    /** Puts the unmasking input under the session's servlet reader; true if it is there now. */
    public static boolean unmask(Session session, boolean enabled) {
        return enabled && unmask((Object) session);
    }

    /** {@link #unmask(Session, boolean)} on anything shaped like a Tyrus session, for tests. */
    static boolean unmask(Object session) {
        try {
            Object remote = field(session, "asyncRemote");
            Object socket = remote == null ? null : field(remote, "webSocket");
            Method handler = socket == null ? null : method(socket.getClass(), "getProtocolHandler");
            Object protocol = handler == null ? null : handler.invoke(socket);
            Object writer = protocol == null ? null : field(protocol, "writer");
            Object upgrade = writer == null ? null : field(writer, "tyrusHttpUpgradeHandler");
            if (upgrade == null) {
                return false; // not Tyrus's servlet container
            }
            Object real = field(upgrade, "handler"); // Tyrus's proxy delegates to the real reader
            if (real != null && real.getClass() != upgrade.getClass()
                    && real.getClass().getName().contains("UpgradeHandler")) {
                upgrade = real;
            }
            Field input = declared(upgrade.getClass(), "is");
            if (input == null || !input.getType().getName().equals("jakarta.servlet.ServletInputStream")) {
                return false;
            }
            Object stream = input.get(upgrade);
            if (stream instanceof UnmaskingInput) {
                return true;
            }
            if (stream == null) {
                return false;
            }
            input.set(upgrade, new UnmaskingInput((jakarta.servlet.ServletInputStream) stream));
            UNMASKED.increment();
            if (LOGGED.compareAndSet(false, true)) {
                LOG.info("WebSocket frames unmasked by Switchboard under " + upgrade.getClass().getName());
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "frames of " + session + " left to Tyrus to unmask", e);
            return false;
        }
    }

    /** Connections whose frames were unmasked by Switchboard since the start (for tests). */
    static long unmasked() {
        return UNMASKED.sum();
    }

    private static Object field(Object target, String name) throws IllegalAccessException {
        Field field = declared(target.getClass(), name);
        return field == null ? null : field.get(target);
    }

    /** Fields by name, per class: found once, as every connection walks the same classes. */
    private static final ClassValue<java.util.Map<String, java.util.Optional<Field>>> FIELDS = new ClassValue<>() {
        @Override
        protected java.util.Map<String, java.util.Optional<Field>> computeValue(Class<?> type) {
            return new java.util.concurrent.ConcurrentHashMap<>();
        }
    };

    private static Field declared(Class<?> type, String name) {
        return FIELDS.get(type).computeIfAbsent(name, n -> java.util.Optional.ofNullable(find(type, n))).orElse(null);
    }

    private static Field find(Class<?> type, String name) {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            for (Field field : t.getDeclaredFields()) {
                if (field.getName().equals(name) && !java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    field.setAccessible(true);
                    return field;
                }
            }
        }
        return null;
    }

    private static Method method(Class<?> type, String name) {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            for (Method method : t.getDeclaredMethods()) {
                if (method.getName().equals(name) && method.getParameterCount() == 0) {
                    method.setAccessible(true);
                    return method;
                }
            }
        }
        return null;
    }
}
