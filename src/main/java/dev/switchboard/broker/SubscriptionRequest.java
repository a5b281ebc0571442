package dev.switchboard.broker;

import dev.switchboard.bus.Since;

/**
 * One subscription as a client asked for it.
 *
 * @param key         unique in the broker: how every later call names it
 * @param destination {@code /queue/NAME} or {@code /topic/NAME}
 * @param prefetch    at most this many unacknowledged messages outstanding (0: no bound); acked modes only
 * @param selector    which messages it wants (null: all)
 * @param clientId    the connection's client id (durable subscriptions), or null
 * @param durableName a durable topic subscription's name, or null
 * @param since       a topic's {@code EPOCH:OFFSET} to recover from, or null
 */
public record SubscriptionRequest(String key, String destination, AckMode ack, int prefetch, Selector selector,
                                  String clientId, String durableName, Since since) {

    public boolean durable() {
        return durableName != null;
    }
}
