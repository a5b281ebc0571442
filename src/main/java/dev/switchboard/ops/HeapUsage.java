package dev.switchboard.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/**
 * The heap that is still in use after the last garbage collection, against the most it may grow
 * to: the signal that the live data no longer fits (instantaneous use is mostly garbage and says
 * nothing). Read from the tenured pools' collection usage — the pools that support a collection
 * usage threshold and a usage threshold (old generations; young pools are empty after a GC).
 *
 * @param usedAfterGc bytes in use right after the last collection of those pools (0 before any)
 * @param max         the most those pools may hold, or -1 when undefined
 */
public record HeapUsage(long usedAfterGc, long max) {

    /** Above this share of the heap after a GC, {@code health} says DOWN: the next allocations may fail. */
    public static final double CRITICAL_RATIO = 0.90;

    /** Pure: whether the heap is critically full. An undefined or zero maximum is never critical. */
    public boolean critical() {
        return max > 0 && usedAfterGc >= CRITICAL_RATIO * max;
    }

    /** Used after GC as a share of the maximum, 0 when the maximum is undefined. */
    public double ratio() {
        return max > 0 ? (double) usedAfterGc / max : 0;
    }

    /** This JVM's heap now. */
    public static HeapUsage current() {
        long used = 0;
        long max = 0;
        boolean found = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP || !pool.isValid()
                    || !pool.isCollectionUsageThresholdSupported() || !pool.isUsageThresholdSupported()) {
                continue;
            }
            MemoryUsage afterGc = pool.getCollectionUsage();
            long poolMax = pool.getUsage().getMax();
            if (afterGc == null || poolMax < 0) {
                continue;
            }
            found = true;
            used += afterGc.getUsed();
            max += poolMax;
        }
        return found ? new HeapUsage(used, max) : new HeapUsage(0, -1);
    }
}
