package dev.switchboard.broker;

/**
 * The broker core's bounds (docs/protocol.md, "Limits").
 *
 * @param queueDepth      messages one queue holds, waiting or delivered and not yet acknowledged (also the
 *                        backlog of a durable subscription, and what one topic subscription holds unacknowledged)
 * @param queueBytes      bytes (as on the wire) the same messages may take
 * @param maxDestinations queues, topics and durable subscriptions kept at once
 * @param maxHeldBytes    everything held for clients together: the last line before the heap
 */
public record BrokerSettings(int queueDepth, long queueBytes, int maxDestinations, long maxHeldBytes) {
}
