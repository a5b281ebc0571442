package dev.switchboard.security;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloodGuardTest {

    private final AtomicLong now = new AtomicLong();
    private final FloodGuard guard = new FloodGuard(10, 20, now::get);

    private void advanceMillis(long millis) {
        now.addAndGet(millis * 1_000_000);
    }

    @Test
    void burstIsAdmittedThenTheRateHolds() {
        for (int i = 0; i < 20; i++) {
            assertEquals(FloodGuard.Verdict.ADMIT, guard.admit(), "message " + i);
        }
        assertEquals(FloodGuard.Verdict.REJECT, guard.admit());
        advanceMillis(100); // one token back at 10/s
        assertEquals(FloodGuard.Verdict.ADMIT, guard.admit());
        assertEquals(FloodGuard.Verdict.REJECT, guard.admit());
    }

    @Test
    void clientKeepingToTheRateIsNeverRejected() {
        for (int i = 0; i < 1000; i++) {
            advanceMillis(100);
            assertEquals(FloodGuard.Verdict.ADMIT, guard.admit());
        }
    }

    @Test
    void persistentFloodingEndsInClose() {
        FloodGuard.Verdict verdict = FloodGuard.Verdict.ADMIT;
        int messages = 0;
        while (verdict != FloodGuard.Verdict.CLOSE && messages < 10_000) {
            advanceMillis(10); // 100 messages/s against a rate of 10
            verdict = guard.admit();
            messages++;
        }
        assertEquals(FloodGuard.Verdict.CLOSE, verdict);
        assertTrue(messages > 20, "the burst itself is not abuse");
    }

    @Test
    void briefOverrunIsForgivenOverTime() {
        for (int i = 0; i < 30; i++) {
            guard.admit(); // 20 admitted, 10 rejected: 10 strikes
        }
        advanceMillis(10_000);
        for (int i = 0; i < 30; i++) {
            assertTrue(guard.admit() != FloodGuard.Verdict.CLOSE);
        }
    }

    @Test
    void errorRepliesDrawOnTheSameTolerance() {
        for (int i = 0; i < 20; i++) {
            assertFalse(guard.strike());
        }
        assertTrue(guard.strike());
    }
}
