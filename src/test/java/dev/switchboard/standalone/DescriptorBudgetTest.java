package dev.switchboard.standalone;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** max-connections against the descriptor limit, and failed accepts reported but not flooding the log. */
class DescriptorBudgetTest {

    @Test
    void maxConnectionsIsLoweredToWhatTheProcessMayOpen() {
        DescriptorBudget budget = DescriptorBudget.of(50_000, 20_000);
        assertEquals(1_000, budget.reserve());
        assertEquals(20_000 - 1_000 - DescriptorBudget.HTTP_HEADROOM, budget.maxConnections());
        assertTrue(budget.lowered(50_000));
        assertTrue(budget.socketCap() <= 20_000 - budget.reserve());
    }

    @Test
    void aLimitAboveTheConfiguredValueLeavesIt() {
        DescriptorBudget budget = DescriptorBudget.of(50_000, 1_048_576);
        assertEquals(50_000, budget.maxConnections());
        assertFalse(budget.lowered(50_000));
        assertEquals(50_000, DescriptorBudget.of(50_000, -1).maxConnections(), "unknown limit");
    }

    @Test
    void aSmallLimitKeepsAReserveAndAtLeastOneConnection() {
        assertEquals(1024 - 102 - DescriptorBudget.HTTP_HEADROOM, DescriptorBudget.of(50_000, 1024).maxConnections());
        assertEquals(1, DescriptorBudget.of(50_000, 50).maxConnections());
    }

    @Test
    void everyFailedAcceptIsCountedButLoggedAtMostOncePerInterval() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong now = new AtomicLong(1_000);
        AcceptFailures failures = new AcceptFailures(registry, now::get);
        IOException emfile = new IOException("Too many open files");
        assertTrue(failures.failed(emfile));
        assertFalse(failures.failed(emfile));
        assertFalse(failures.failed(emfile));
        now.addAndGet(AcceptFailures.LOG_INTERVAL_NANOS);
        assertTrue(failures.failed(emfile));
        assertFalse(failures.failed(new IOException("something else")));
        assertEquals(4, registry.get("switchboard.accept.failures").tag("reason", "descriptors").counter().count());
        assertEquals(1, registry.get("switchboard.accept.failures").tag("reason", "other").counter().count());
    }
}
