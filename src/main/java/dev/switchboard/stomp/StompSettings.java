package dev.switchboard.stomp;

import java.time.Duration;

/**
 * The broker's limits and heart-beat offer. Every bound on what a client can make the broker hold
 * is here, so that no connection can grow the heap without limit (issue 13).
 *
 * @param queueDepth                 messages one queue holds, waiting or delivered and not yet acknowledged
 *                                   (also: unacknowledged messages one topic subscription holds)
 * @param queueBytes                 bytes (as on the wire) the same messages may take
 * @param transactionBytes           bytes one open transaction may buffer until COMMIT
 * @param transactionTtl             how long a transaction may stay open before it is aborted
 * @param maxTransactions            open transactions per connection
 * @param maxSubscriptions           subscriptions per connection
 * @param maxDestinations            queues and topics the broker keeps at once
 * @param maxHeldBytes               everything the broker holds for clients together (queued, unacknowledged,
 *                                   in transactions): the last line before the heap
 * @param heartbeatSendMs            how often the server can send heart-beats (the "sx" of CONNECTED), 0 never
 * @param heartbeatReceiveMs         how often the server wants them (the "sy"), 0 never
 */
public record StompSettings(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes, int queueDepth, long queueBytes,
                            long transactionBytes, Duration transactionTtl, int maxTransactions, int maxSubscriptions,
                            int maxDestinations, long maxHeldBytes, int heartbeatSendMs, int heartbeatReceiveMs) {

    /** The contract's defaults (docs/protocol.md, "stomp"). */
    public static final long DEFAULT_QUEUE_BYTES = 64L << 20;
    public static final long DEFAULT_TRANSACTION_BYTES = 16L << 20;
    public static final Duration DEFAULT_TRANSACTION_TTL = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_TRANSACTIONS = 16;
    public static final int DEFAULT_MAX_SUBSCRIPTIONS = 1_000;
    public static final int DEFAULT_MAX_DESTINATIONS = 100_000;
    /** Longest destination name, in UTF-8 bytes (as AMQP's short strings): names are kept per destination. */
    public static final int MAX_DESTINATION_BYTES = 255;

    /** Half the heap: what the broker may hold for clients when nothing else says. */
    public static long defaultMaxHeldBytes() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    /** The frame limits, queue depth and heart-beats; every other bound at its default. */
    public StompSettings(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes, int queueDepth,
                         int heartbeatSendMs, int heartbeatReceiveMs) {
        this(maxFrameBytes, maxHeaders, maxHeaderLineBytes, queueDepth, DEFAULT_QUEUE_BYTES, DEFAULT_TRANSACTION_BYTES,
                DEFAULT_TRANSACTION_TTL, DEFAULT_MAX_TRANSACTIONS, DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_MAX_DESTINATIONS,
                defaultMaxHeldBytes(), heartbeatSendMs, heartbeatReceiveMs);
    }
}
