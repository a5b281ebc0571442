package dev.switchboard.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The counters one WebSocket endpoint keeps, all tagged {@code endpoint=NAME}: open connections,
 * messages and bytes each way, closes by code, refused handshakes by HTTP status, protocol errors by
 * code and slow-consumer closes. An endpoint registers itself once and only calls these methods.
 */
public final class EndpointMetrics {

    private final String endpoint;
    private final MeterRegistry registry;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter messagesReceived;
    private final Counter messagesSent;
    private final Counter bytesReceived;
    private final Counter bytesSent;
    private final Counter slowConsumerCloses;
    private final ConcurrentMap<Integer, Counter> closes = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Counter> refusals = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> requests = new ConcurrentHashMap<>();
    private final Counter recovered;
    private final Counter notRecovered;

    EndpointMetrics(String endpoint, MeterRegistry registry) {
        this.endpoint = endpoint;
        this.registry = registry;
        Gauge.builder("switchboard.connections.open", open, AtomicInteger::get)
                .description("Open WebSocket connections").tag("endpoint", endpoint).register(registry);
        messagesReceived = counter("switchboard.messages.received", "WebSocket messages received");
        messagesSent = counter("switchboard.messages.sent", "WebSocket messages sent");
        bytesReceived = counter("switchboard.bytes.received", "Payload bytes received");
        bytesSent = counter("switchboard.bytes.sent", "Payload bytes sent");
        slowConsumerCloses = counter("switchboard.slow.consumer.closes",
                "Connections closed with 1013 because their send queue passed send-queue-bytes");
        recovered = Counter.builder("switchboard.recoveries").description("Reconnects that asked to recover what they missed, by outcome")
                .tag("endpoint", endpoint).tag("outcome", "recovered").register(registry);
        notRecovered = Counter.builder("switchboard.recoveries").description("Reconnects that asked to recover what they missed, by outcome")
                .tag("endpoint", endpoint).tag("outcome", "failed").register(registry);
    }

    public String endpoint() {
        return endpoint;
    }

    public void opened() {
        open.incrementAndGet();
    }

    public void closed(int code) {
        open.decrementAndGet();
        closes.computeIfAbsent(code, c -> Counter.builder("switchboard.closes")
                .description("Closed WebSocket connections by close code")
                .tag("endpoint", endpoint).tag("code", Integer.toString(c)).register(registry)).increment();
    }

    public int openConnections() {
        return open.get();
    }

    public void received(long bytes) {
        messagesReceived.increment();
        bytesReceived.increment(bytes);
    }

    public void sent(long bytes) {
        messagesSent.increment();
        bytesSent.increment(bytes);
    }

    public void handshakeRefused(int httpStatus) {
        refusals.computeIfAbsent(httpStatus, s -> Counter.builder("switchboard.handshakes.refused")
                .description("WebSocket handshakes refused, by HTTP status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(s)).register(registry)).increment();
    }

    /** An error reply or protocol violation, by the contract's code ({@code bad-request}, {@code rate-limited}, …). */
    public void error(String code) {
        errors.computeIfAbsent(code, c -> Counter.builder("switchboard.errors")
                .description("Errors answered to clients, by code")
                .tag("endpoint", endpoint).tag("code", c).register(registry)).increment();
    }

    /** A message a client sent, by its protocol type (chat's {@code join}, STOMP's {@code SEND}, …). */
    public void request(String type) {
        requests.computeIfAbsent(type, t -> Counter.builder("switchboard.requests")
                .description("Messages from clients, by protocol message type")
                .tag("endpoint", endpoint).tag("type", t).register(registry)).increment();
    }

    /** A client that reconnected with {@code since}: got every missed event, or the log no longer had them. */
    public void recovery(boolean complete) {
        (complete ? recovered : notRecovered).increment();
    }

    public void slowConsumerClosed() {
        slowConsumerCloses.increment();
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tag("endpoint", endpoint).register(registry);
    }
}
