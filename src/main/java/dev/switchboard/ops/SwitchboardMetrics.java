package dev.switchboard.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Switchboard's meter registry, scraped in the Prometheus text format by {@code GET metrics}. */
public final class SwitchboardMetrics implements AutoCloseable {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentMap<String, EndpointMetrics> endpoints = new ConcurrentHashMap<>();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    public SwitchboardMetrics() {
        this(null);
    }

    /** @param node this node's id in its cluster, carried by every metric as {@code node}; null for none */
    public SwitchboardMetrics(String node) {
        if (node != null) {
            registry.config().commonTags("node", node);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
    }

    /** The metrics of one endpoint, created on first use. */
    public EndpointMetrics endpoint(String name) {
        return endpoints.computeIfAbsent(name, n -> new EndpointMetrics(n, registry));
    }

    public List<EndpointMetrics> endpoints() {
        return List.copyOf(endpoints.values());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Runs before every scrape: for gauges whose set of series changes (one per room, say). */
    public void beforeScrape(Runnable refresh) {
        beforeScrape.add(refresh);
    }

    /** Everything, in the Prometheus text exposition format 0.0.4. */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
