package dev.switchboard.stomp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code /queue/NAME}: each message goes to exactly one subscriber, round-robin. Messages wait,
 * up to {@code maxDepth}, while nobody subscribes. A NACKed message goes to another subscriber
 * when there is one, else back to the same; the unacknowledged messages of a subscriber that goes
 * away go back to the head of the queue, in order. Redeliveries carry {@code redelivered:true}.
 * No message is ever dropped silently.
 */
final class StompQueue {

    private record Waiting(StompMessage message, boolean redelivered) {
    }

    final String destination;
    private final int maxDepth;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final List<StompSubscription> subscribers = new ArrayList<>();
    private int next;
    private long enqueued;
    private long dispatched;

    StompQueue(String destination, int maxDepth) {
        this.destination = destination;
        this.maxDepth = maxDepth;
    }

    synchronized void send(StompMessage message) throws StompException {
        if (subscribers.isEmpty() && waiting.size() >= maxDepth) {
            throw new StompException(StompException.Kind.PROTOCOL,
                    "queue " + destination + " is full (" + maxDepth + " messages waiting)");
        }
        enqueued++;
        waiting.addLast(new Waiting(message, false));
        drain();
    }

    synchronized void subscribe(StompSubscription subscription) {
        subscribers.add(subscription);
        drain();
    }

    /** The subscriber is gone: its unacknowledged messages go back to the head of the queue. */
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

    synchronized int depth() {
        return waiting.size();
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
        target.session.deliver(message, target, redelivered);
        return true;
    }
}
