package dev.switchboard.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The idle timer on stand-ins shaped like Tyrus's session (a {@code service} field and an
 * {@code IdleTimeoutCommand}, as in Payara's Tyrus 2.1.5.payara-p2 and in 2.1.6), and on the
 * real Tyrus session class the standalone server runs.
 */
class IdleTimerTest {

    /** A container executor that records what it is given, and never runs it. */
    static final class Recording extends ScheduledThreadPoolExecutor {
        final List<Runnable> scheduled = new CopyOnWriteArrayList<>();

        Recording() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.add(command);
            return super.schedule(() -> { }, 1, TimeUnit.HOURS);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            scheduled.add(command);
            return super.schedule(() -> { }, 1, TimeUnit.HOURS);
        }
    }

    /** Shaped like TyrusSession: its container's scheduler in a field named service. */
    static final class TyrusLikeSession {
        private ScheduledExecutorService service;

        TyrusLikeSession(ScheduledExecutorService service) {
            this.service = service;
        }

        /** What Payara's restartIdleTimeoutExecutor does, whatever the timeout. */
        ScheduledFuture<?> restartIdleTimeout(long maxIdleTimeout) {
            return service.schedule(new IdleTimeoutCommand(), maxIdleTimeout, TimeUnit.MILLISECONDS);
        }

        final class IdleTimeoutCommand implements Runnable {
            @Override
            public void run() {
            }
        }
    }

    static final class NotTyrus {
        private final Object service = new Object();
    }

    private final Recording container = new Recording();

    @AfterEach
    void stop() {
        container.shutdownNow();
    }

    @Test
    void anIdleTimerDueAtOnceIsNotScheduled() {
        TyrusLikeSession session = new TyrusLikeSession(container);
        assertTrue(IdleTimer.quiet(session));
        long skipped = IdleTimer.skipped();
        for (long timeout : new long[] {-1, 0}) { // Switchboard's -1; Jakarta's 0, also none
            ScheduledFuture<?> timer = session.restartIdleTimeout(timeout);
            assertTrue(timer.isDone());
            assertFalse(timer.cancel(true), "nothing to cancel: Tyrus cancels it on the next message");
            assertFalse(timer.isCancelled());
        }
        assertEquals(List.of(), container.scheduled);
        assertEquals(skipped + 2, IdleTimer.skipped());
    }

    @Test
    void aRealIdleTimeoutStillGoesToTheContainer() {
        TyrusLikeSession session = new TyrusLikeSession(container);
        IdleTimer.quiet(session);
        ScheduledFuture<?> timer = session.restartIdleTimeout(30_000);
        assertEquals(1, container.scheduled.size());
        assertTrue(timer.getDelay(TimeUnit.MINUTES) > 0);
        assertTrue(timer.cancel(false));
    }

    @Test
    void everyOtherTaskGoesToTheContainerUnchanged() {
        TyrusLikeSession session = new TyrusLikeSession(container);
        IdleTimer.quiet(session);
        Runnable heartbeat = () -> { };
        Runnable soon = () -> { };
        session.service.scheduleAtFixedRate(heartbeat, 5, 5, TimeUnit.SECONDS);
        session.service.schedule(soon, 0, TimeUnit.MILLISECONDS); // due now, but not an idle timer
        assertEquals(List.of(heartbeat, soon), container.scheduled);
        assertFalse(session.service.isShutdown());
    }

    @Test
    void sessionsOnOneContainerShareOneWrapperAndWrappingTwiceChangesNothing() {
        TyrusLikeSession first = new TyrusLikeSession(container);
        TyrusLikeSession second = new TyrusLikeSession(container);
        IdleTimer.quiet(first);
        ScheduledExecutorService wrapped = first.service;
        assertNotSame(container, wrapped);
        assertTrue(IdleTimer.quiet(first));
        assertSame(wrapped, first.service);
        IdleTimer.quiet(second);
        assertSame(wrapped, second.service);
    }

    @Test
    void aSessionThatIsNotTyrusIsLeftAlone() {
        NotTyrus session = new NotTyrus();
        Object before = session.service;
        assertFalse(IdleTimer.quiet(session));
        assertSame(before, session.service);
        assertFalse(IdleTimer.quiet(new Object()));
    }

    @Test
    void theKillSwitchLeavesTheSessionAlone() {
        assertFalse(IdleTimer.quiet(null, false)); // never looks at the session
    }

    @Test
    void theRealTyrusSessionHasTheShapeItLooksFor() throws Exception {
        Class<?> session = Class.forName("org.glassfish.tyrus.core.TyrusSession");
        java.lang.reflect.Field service = session.getDeclaredField("service");
        assertSame(ScheduledExecutorService.class, service.getType());
        assertFalse(java.lang.reflect.Modifier.isFinal(service.getModifiers()));
        Class<?> command = Class.forName("org.glassfish.tyrus.core.TyrusSession" + IdleTimer.IDLE_TIMEOUT_COMMAND);
        assertTrue(Runnable.class.isAssignableFrom(command));
    }

    @Test
    void aTimerThatWasNeverArmedOrdersLikeOneDueNow() {
        TyrusLikeSession session = new TyrusLikeSession(container);
        IdleTimer.quiet(session);
        ScheduledFuture<?> none = session.restartIdleTimeout(-1);
        Delayed later = container.schedule(() -> { }, 1, TimeUnit.MINUTES);
        assertTrue(none.compareTo(later) < 0);
        assertEquals(0, none.getDelay(TimeUnit.NANOSECONDS));
    }
}
