package dev.switchboard.ops;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** health's memory decision as a pure function of the heap in use after GC. */
class HeapUsageTest {

    @Test
    void belowNinetyPercentAfterGcIsUp() {
        assertTrue(HealthServlet.up(false, new HeapUsage(899, 1000)));
    }

    @Test
    void atNinetyPercentAfterGcIsDown() {
        assertFalse(new HeapUsage(899, 1000).critical());
        assertTrue(new HeapUsage(900, 1000).critical());
        assertFalse(HealthServlet.up(false, new HeapUsage(950, 1000)));
    }

    @Test
    void anUndefinedMaximumIsNeverCritical() {
        assertFalse(new HeapUsage(5_000, -1).critical());
        assertTrue(HealthServlet.up(false, new HeapUsage(5_000, -1)));
    }

    @Test
    void shuttingDownIsDownWhateverTheHeap() {
        assertFalse(HealthServlet.up(true, new HeapUsage(0, 1000)));
    }

    @Test
    void thisJvmReportsAHeap() {
        HeapUsage heap = HeapUsage.current();
        assertTrue(heap.max() > 0 || heap.max() == -1);
        assertTrue(heap.usedAfterGc() >= 0);
    }
}
