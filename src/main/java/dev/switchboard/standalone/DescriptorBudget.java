package dev.switchboard.standalone;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many connections the listener may hold without running the process out of file
 * descriptors: {@code max-connections}, lowered when the descriptor limit ({@code ulimit -n}) is
 * smaller than it plus what the rest of the process needs.
 *
 * @param descriptorLimit the process's limit, or -1 where the platform does not say
 * @param reserve         descriptors kept for everything but client sockets: the JVM's jars and
 *                        files, the store, outgoing VNC and cluster sockets, the selectors
 * @param maxConnections  the effective limit for WebSockets and unfinished requests together
 */
record DescriptorBudget(long descriptorLimit, int reserve, int maxConnections) {

    /** Plain HTTP (health, metrics, pages) may use this many connections beyond {@link #maxConnections}. */
    static final int HTTP_HEADROOM = 32;

    /** The budget for this process. */
    static DescriptorBudget forThisProcess(int configuredMaxConnections) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long limit = os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
        return of(configuredMaxConnections, limit);
    }

    /** Pure: a tenth of the descriptors (64 to 1,000) stays in reserve, and the HTTP headroom too. */
    static DescriptorBudget of(int configuredMaxConnections, long descriptorLimit) {
        if (descriptorLimit <= 0) {
            return new DescriptorBudget(-1, 0, configuredMaxConnections);
        }
        int reserve = (int) Math.max(64, Math.min(1000, descriptorLimit / 10));
        long available = descriptorLimit - reserve - HTTP_HEADROOM;
        return new DescriptorBudget(descriptorLimit, reserve, (int) Math.max(1, Math.min(configuredMaxConnections, available)));
    }

    /** Whether the descriptor limit lowered the configured value. */
    boolean lowered(int configuredMaxConnections) {
        return maxConnections < configuredMaxConnections;
    }

    /** Every connection the listener may hold at once; beyond it a new one gets 503 at once. */
    int socketCap() {
        return maxConnections + HTTP_HEADROOM;
    }
}
