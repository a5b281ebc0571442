package dev.switchboard.vnc;

import dev.switchboard.ops.DaemonThreads;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every VNC bridge shares: the configured targets, two I/O threads for all TCP sides
 * (asynchronous channels: no thread per session), a timer for connect timeouts, and the metrics
 * per target — sessions, bytes each way, connect failures.
 */
public final class VncGateway implements AutoCloseable {

    private final VncTargets targets;
    private final Duration connectTimeout;
    private final AsynchronousChannelGroup group;
    private final ScheduledExecutorService timers;
    private final Map<String, TargetMeter> meters = new HashMap<>();

    public VncGateway(VncTargets targets, Duration connectTimeout, MeterRegistry registry) {
        this.targets = targets;
        this.connectTimeout = connectTimeout;
        try {
            this.group = AsynchronousChannelGroup.withFixedThreadPool(2, DaemonThreads.named("switchboard-vnc-io"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.timers = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-vnc-timer"));
        for (String name : targets.names()) {
            meters.put(name, new TargetMeter(name, registry));
        }
    }

    public VncTargets targets() {
        return targets;
    }

    /** Opens a bridge to a configured target (the caller has checked the name). */
    VncBridge open(String target, VncBridge.Browser browser) {
        TargetMeter meter = meters.get(target);
        meter.sessions.incrementAndGet();
        VncBridge bridge = new VncBridge(target, browser, meter);
        bridge.connect(targets.address(target).orElseThrow(), group, timers, connectTimeout);
        return bridge;
    }

    void closed(String target) {
        meters.get(target).sessions.decrementAndGet();
    }

    public int sessions(String target) {
        return meters.get(target).sessions.get();
    }

    @Override
    public void close() {
        timers.shutdownNow();
        group.shutdown();
        try {
            group.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class TargetMeter implements VncBridge.Meter {
        final AtomicInteger sessions = new AtomicInteger();
        final Counter toBrowser;
        final Counter toServer;
        final Counter connectFailures;

        TargetMeter(String target, MeterRegistry registry) {
            Gauge.builder("switchboard.vnc.sessions", sessions, AtomicInteger::get)
                    .description("Open VNC bridge sessions").tag("target", target).register(registry);
            toBrowser = Counter.builder("switchboard.vnc.bytes").description("Bytes relayed by the VNC bridge")
                    .tag("target", target).tag("direction", "to-browser").register(registry);
            toServer = Counter.builder("switchboard.vnc.bytes").description("Bytes relayed by the VNC bridge")
                    .tag("target", target).tag("direction", "to-server").register(registry);
            connectFailures = Counter.builder("switchboard.vnc.connect.failures")
                    .description("VNC targets that could not be reached").tag("target", target).register(registry);
        }

        @Override
        public void toBrowser(long bytes) {
            toBrowser.increment(bytes);
        }

        @Override
        public void toServer(long bytes) {
            toServer.increment(bytes);
        }

        @Override
        public void connectFailed() {
            connectFailures.increment();
        }
    }
}
