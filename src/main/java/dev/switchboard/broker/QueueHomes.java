package dev.switchboard.broker;

import dev.switchboard.broker.store.MessageStore;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where each queue runs when the broker is one node of several: a queue has one home node, which
 * holds its messages and decides every hand-over — one message to one consumer in the whole
 * cluster, in the queue's order, with its selectors, prefetch and redeliveries exactly as on one
 * node (RabbitMQ's classic queues have such a leader). The other nodes send to it and consume from
 * it through this port. The home keeps every message of the queue in a {@link Home#store()} that
 * outlives it, so that the next home takes the queue over when it dies. The broker core knows
 * nothing of how (the cluster package implements it); without a cluster there is none and every
 * queue is here.
 */
public interface QueueHomes {

    /**
     * Where a queue runs. {@code here}: on this node, keeping its messages in {@code store}, and
     * {@code adopted} is what an earlier home left there, in order (the ones it had handed out
     * marked delivered) — non-empty only for the call that took the queue over.
     */
    record Home(boolean here, MessageStore store, List<MessageStore.StoredMessage> adopted) {
        public static final Home ELSEWHERE = new Home(false, null, List.of());
    }

    /**
     * Where {@code queue} runs now; it becomes this node's when it runs nowhere and {@code mayClaim}
     * (else null: this node has no room for another destination).
     */
    Home home(String queue, boolean mayClaim);

    /**
     * This node no longer runs {@code queue}: it was idle (nothing held, no consumer) and is
     * forgotten, so the next node that needs it claims it afresh — names used once do not stay.
     */
    void released(String queue);

    /**
     * A message for a queue that runs elsewhere: completes once its home holds it, fails with the
     * home's {@link BrokerException}, or with {@link HomeLost} when the home went before answering
     * (the broker then sends it again, to the next home).
     */
    CompletableFuture<Void> send(Message message, boolean again);

    /** Whether {@code messageId} came to this node's queue in a takeover: a SEND of it again is one already held. */
    boolean adopted(String queue, String messageId);

    /** A consumer of a queue that runs elsewhere; its messages come back through {@code subscriber}. */
    CompletableFuture<Void> subscribe(SubscriptionRequest request, Subscriber subscriber);

    /** An ACK for a consumer of a queue that runs elsewhere; completes once the home has let the messages go. */
    CompletableFuture<Void> ack(String queue, String key, String messageId);

    void nack(String queue, String key, String messageId);

    void unsubscribe(String queue, String key);

    /**
     * {@code lost} is told the name of each queue whose home went: the broker moves its consumers to
     * the next. For a durable subscription's queue the oldest node is told too, consumers or not: a
     * durable subscription must go on collecting its topic's messages while its client is away.
     */
    void onHomeLost(Consumer<String> lost);

    /**
     * {@code rejoined} runs when this node comes back into the grid after a split (it was dropped
     * while paused or cut off, and the others took over what it ran): the broker gives up the queues
     * it ran and moves their consumers to the homes the grid names now.
     */
    void onRejoined(Runnable rejoined);

    /**
     * Tells {@code queue}'s home to look again at what the grid keeps for it: messages a node stored
     * there while it was split off, which the home does not hold yet.
     */
    void recount(String queue);

    // ---- durable topic subscriptions: a queue each, kept by its home from the topic's log ----------

    /**
     * A durable topic subscription as the cluster knows it: its topic and selector, and how far
     * into the topic's log its queue has taken messages ({@code epoch} null before the first).
     */
    record DurableSubscription(String topic, String selector, String epoch, long offset) {
    }

    /** The durable subscription whose queue is {@code queue}, or null. */
    DurableSubscription durable(String queue);

    /** Makes it unless it exists; returns the one that exists then (perhaps another node's). */
    DurableSubscription createDurable(String queue, DurableSubscription wanted);

    /** Its queue has taken the topic's messages up to {@code moved}'s offset (written without waiting). */
    void durableAt(String queue, DurableSubscription moved);

    void forgetDurable(String queue);

    /** Ends a durable subscription whose home is another node; completes once it is gone. */
    CompletableFuture<Void> endDurable(String queue, String clientId, String name);

    /** The home of a queue went before it answered: what was asked may or may not have been done. */
    final class HomeLost extends RuntimeException {
        public HomeLost(String queue) {
            super("the node that ran " + queue + " went", null, false, false);
        }
    }
}
