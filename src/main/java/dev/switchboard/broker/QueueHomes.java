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

    /** Where {@code queue} runs now; it becomes this node's when it runs nowhere. */
    Home home(String queue);

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

    /** {@code lost} is told the name of each queue whose home went: the broker moves its consumers to the next. */
    void onHomeLost(Consumer<String> lost);

    /** The home of a queue went before it answered: what was asked may or may not have been done. */
    final class HomeLost extends RuntimeException {
        public HomeLost(String queue) {
            super("the node that ran " + queue + " went", null, false, false);
        }
    }
}
