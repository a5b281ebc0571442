package dev.switchboard.transport;

import jakarta.websocket.Session;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps Tyrus from arming an idle timer that can never fire, once per message.
 *
 * <p>Tyrus re-arms a session's idle timeout on every message in and out
 * ({@code TyrusSession.restartIdleTimeoutExecutor}): it cancels the last timer and schedules an
 * {@code IdleTimeoutCommand} after {@code getMaxIdleTimeout()} ms on the session's
 * {@code service}. Tyrus 2.1.6 skips that when the timeout is negative (Switchboard's sessions
 * have −1: the keepalive sweep closes idle connections). Payara Micro 6's Tyrus
 * (2.1.5.payara-p2) does not: at −1 it schedules the command to run at once, and its
 * {@code service} is Payara's {@code DefaultManagedScheduledExecutorService}, which captures the
 * application's context for every task — a {@code ServiceLoader} scan of every jar of the WAR —
 * and runs it on another thread. A profile of 64 B echo in Payara put 60% of the server's CPU
 * in that capture on the reading thread and 25% on the scheduler's thread.
 *
 * <p>So the session's {@code service} is wrapped: an idle-timeout command due now or before
 * (a timeout ≤ 0, which Jakarta WebSocket defines as none, and which the command itself would
 * find so and do nothing) is not scheduled at all; everything else — a positive timeout, a
 * heartbeat — goes to the container's executor unchanged. Not a Tyrus session, no such field, or
 * {@code transport.fast-path=off}: nothing changes.
 */
public final class IdleTimer {

    private static final Logger LOG = Logger.getLogger(IdleTimer.class.getName());
    /** Tyrus's idle-timeout task, by the name of its class (TyrusSession's inner class). */
    static final String IDLE_TIMEOUT_COMMAND = "$IdleTimeoutCommand";
    /** The session's executor field, per kind of session; absent: nothing to do for that kind. */
    private static final Map<Class<?>, Optional<Field>> SERVICES = new ConcurrentHashMap<>();
    /** The wrapper last made, shared by every session on the same container executor (one per application, normally). */
    private static volatile Quiet last;
    private static final LongAdder SKIPPED = new LongAdder();

    private IdleTimer() {
    }

    /** Wraps the session's idle-timer executor (see the class comment); true if it is wrapped now. */
    public static boolean quiet(Session session, boolean enabled) {
        return enabled && quiet((Object) session);
    }

    /** {@link #quiet(Session, boolean)} on any object shaped like a Tyrus session, for tests. */
    static boolean quiet(Object session) {
        Field field = SERVICES.computeIfAbsent(session.getClass(), IdleTimer::serviceField).orElse(null);
        if (field == null) {
            return false;
        }
        try {
            Object service = field.get(session);
            if (service instanceof Quiet) {
                return true;
            }
            if (!(service instanceof ScheduledExecutorService container)) {
                return false;
            }
            Quiet quiet = last;
            if (quiet == null || quiet.container != container) {
                last = quiet = new Quiet(container);
            }
            field.set(session, quiet);
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot wrap the idle timer of " + session, e);
            return false;
        }
    }

    /** Idle-timeout commands not scheduled since the start (for tests). */
    static long skipped() {
        return SKIPPED.sum();
    }

    private static Optional<Field> serviceField(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getSuperclass()) {
            for (Field field : t.getDeclaredFields()) {
                if (field.getName().equals("service") && field.getType() == ScheduledExecutorService.class
                        && !Modifier.isStatic(field.getModifiers()) && !Modifier.isFinal(field.getModifiers())) {
                    try {
                        field.setAccessible(true);
                    } catch (RuntimeException e) {
                        LOG.log(Level.FINE, "cannot reach " + type.getName() + ".service", e);
                        return Optional.empty();
                    }
                    LOG.fine(() -> "idle timers of " + type.getName() + " due now are not scheduled");
                    return Optional.of(field);
                }
            }
        }
        return Optional.empty();
    }

    /** The container's executor, minus idle-timeout commands that are due at once. */
    static final class Quiet implements ScheduledExecutorService {
        private final ScheduledExecutorService container;

        Quiet(ScheduledExecutorService container) {
            this.container = container;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            if (delay <= 0 && command.getClass().getName().endsWith(IDLE_TIMEOUT_COMMAND)) {
                SKIPPED.increment();
                return NotScheduled.INSTANCE;
            }
            return container.schedule(command, delay, unit);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return container.schedule(callable, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return container.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return container.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }

        @Override
        public void shutdown() {
            container.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return container.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return container.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return container.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return container.awaitTermination(timeout, unit);
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            return container.submit(task);
        }

        @Override
        public <T> Future<T> submit(Runnable task, T result) {
            return container.submit(task, result);
        }

        @Override
        public Future<?> submit(Runnable task) {
            return container.submit(task);
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
            return container.invokeAll(tasks);
        }

        @Override
        public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException {
            return container.invokeAll(tasks, timeout, unit);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
            return container.invokeAny(tasks);
        }

        @Override
        public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return container.invokeAny(tasks, timeout, unit);
        }

        @Override
        public void execute(Runnable command) {
            container.execute(command);
        }
    }

    /** What Tyrus keeps for a timer that was never armed: done, nothing to cancel. */
    private static final class NotScheduled implements ScheduledFuture<Object> {
        static final NotScheduled INSTANCE = new NotScheduled();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
