package dev.switchboard.stomp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code /queue/NAME}: each message goes to exactly one subscriber, round-robin. Messages wait
 * while nobody subscribes. A NACKed message goes to another subscriber when there is one, else back
 * to the same; the unacknowledged messages of a subscriber that goes away go back to the head of
 * the queue, in order. Redeliveries carry {@code redelivered:true}. No message is ever dropped
 * silently.
 * <p>
 * Bounded: the queue holds at most {@code stomp.queue-depth} messages and {@code stomp.queue-bytes}
 * bytes, counting both the waiting ones and those delivered and not yet acknowledged (a subscriber
 * that never ACKs would otherwise be a hole in the bound); a SEND past either is refused. A queue
 * that holds nothing and has no subscriber is forgotten by the broker ({@link #idle()}), and a
 * forgotten one is {@link #retired} so that nothing is ever added to it again.
 */
final class StompQueue {

    private record Waiting(StompMessage message, boolean redelivered) {
    }

    final String destination;
    private final StompBroker broker;
    private final int maxDepth;
    private final long maxBytes;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final List<StompSubscription> subscribers = new ArrayList<>();
    /** Messages and bytes held: waiting, plus delivered to an acking subscriber and not yet acknowledged. */
    private int held;
    private long heldBytes;
    private int next;
    private long enqueued;
    private long dispatched;
    /** Removed from the broker: operations must look the destination up again. Guarded by this. */
    boolean retired;

    StompQueue(String destination, StompBroker broker) {
        this.destination = destination;
        this.broker = broker;
        this.maxDepth = broker.settings().queueDepth();
        this.maxBytes = broker.settings().queueBytes();
    }

    synchronized void send(StompMessage message) throws StompException {
        long bytes = message.bytes();
        if (held >= maxDepth || heldBytes + bytes > maxBytes) {
            throw StompException.limit("queue-full", "queue " + destination + " is full (" + held + " of "
                    + maxDepth + " messages, " + heldBytes + " of " + maxBytes + " bytes, unacknowledged ones included)");
        }
        if (!broker.reserve(StompBroker.Hold.QUEUED, bytes)) {
            throw StompException.limit("broker-full", "the broker holds as much as it may for its clients; try later");
        }
        held++;
        heldBytes += bytes;
        enqueued++;
        broker.counted(1, 0);
        waiting.addLast(new Waiting(message, false));
        drain();
    }

    synchronized void subscribe(StompSubscription subscription) {
        subscribers.add(subscription);
        drain();
    }

    /** The subscriber is gone: its unacknowledged messages go back to the head of the queue (still held). */
    synchronized void unsubscribe(StompSubscription subscription) {
        int index = subscribers.indexOf(subscription);
        if (index >= 0) {
            subscribers.remove(index);
            if (index < next) {
                next--;
            }
        }
        List<StompMessage> unacked = subscription.cancel();
        for (int i = unacked.size() - 1; i >= 0; i--) {
            waiting.addFirst(new Waiting(unacked.get(i), true));
        }
        drain();
    }

    /** Acknowledged messages leave the queue. */
    synchronized void acknowledged(List<StompMessage> messages) {
        for (StompMessage message : messages) {
            release(message);
        }
    }

    /** NACKed messages: to another subscriber when there is one, else to the same one. */
    synchronized void redeliver(StompSubscription nacker, List<StompMessage> messages) {
        for (StompMessage message : messages) {
            StompSubscription target = nextSubscriber(nacker);
            if (target == null || !deliver(target, message, true)) {
                waiting.addFirst(new Waiting(message, true));
            }
        }
        drain();
    }

    /** Nothing held and nobody subscribed: the broker may forget it. */
    synchronized boolean idle() {
        return held == 0 && subscribers.isEmpty();
    }

    synchronized int depth() {
        return waiting.size();
    }

    /** Messages held: waiting and unacknowledged. */
    synchronized int heldCount() {
        return held;
    }

    synchronized long heldBytes() {
        return heldBytes;
    }

    synchronized int subscriberCount() {
        return subscribers.size();
    }

    synchronized long enqueuedCount() {
        return enqueued;
    }

    synchronized long dispatchedCount() {
        return dispatched;
    }

    private void release(StompMessage message) {
        long bytes = message.bytes();
        held--;
        heldBytes -= bytes;
        broker.release(StompBroker.Hold.QUEUED, bytes);
    }

    private void drain() {
        while (!waiting.isEmpty() && !subscribers.isEmpty()) {
            StompSubscription target = nextSubscriber(null);
            Waiting head = waiting.peekFirst();
            if (deliver(target, head.message(), head.redelivered())) {
                waiting.pollFirst();
            } else {
                subscribers.remove(target); // cancelled meanwhile; its unsubscribe will follow
            }
        }
    }

    /** The next subscriber round-robin, avoiding {@code avoid} when another exists. */
    private StompSubscription nextSubscriber(StompSubscription avoid) {
        if (subscribers.isEmpty()) {
            return null;
        }
        for (int tries = 0; tries < subscribers.size(); tries++) {
            if (next >= subscribers.size()) {
                next = 0;
            }
            StompSubscription candidate = subscribers.get(next++);
            if (candidate != avoid || subscribers.size() == 1) {
                return candidate;
            }
        }
        return subscribers.get(0);
    }

    private boolean deliver(StompSubscription target, StompMessage message, boolean redelivered) {
        if (!target.delivered(message)) {
            return false;
        }
        dispatched++;
        broker.counted(0, 1);
        if (target.ackMode == AckMode.AUTO) {
            release(message); // handed over: the connection's outbox (send-queue-bytes) holds it now
        }
        target.session.deliver(message, target, redelivered);
        return true;
    }
}
