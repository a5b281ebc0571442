package dev.switchboard.bus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's receivers per channel: one bus listener per channel however many receivers it has
 * (a room of 1,000 members here is one listener), each event handed to every receiver in the
 * channel's order. Big channels fan out on stripes — serial lanes on the same pool, a receiver
 * always on the same one — so one channel's fan-out uses more than one core and still keeps its
 * order for every receiver.
 * <p>
 * Attaching is "subscribe live first, then look": the receiver is registered (live events are
 * buffered for it), then the channel's position is read; the caller sends what comes before that
 * position (a welcome, history, recovered events from the log) and calls
 * {@link Attachment#start()}, after which the buffered events past the position, then live ones,
 * follow — no gap, no duplicate, whatever was published meanwhile.
 */
public final class FanOut {

    /** Channels from which a fan-out goes on the stripes (below, the hand-off costs more than it saves). */
    static final int STRIPED_FROM = 64;

    /** A receiver of a channel's events; must not block (it hands frames to an outbox). */
    public interface Receiver {
        void receive(Delivery delivery);
    }

    private final MessageBus bus;
    private final int maxBacklog;
    private final SerialExecutor[] stripes;
    private final AtomicLong nextStripe = new AtomicLong();
    private final ConcurrentMap<String, Local> channels = new ConcurrentHashMap<>();

    /**
     * @param maxBacklog events of one channel that may wait for their fan-out here before
     *                   {@link #overloaded} says so ({@code fan-out.max-backlog})
     */
    public FanOut(MessageBus bus, Executor pool, int stripes, int maxBacklog) {
        this(bus, pool, stripes, maxBacklog, WriteMerging.NONE);
    }

    /** @param merging how a stripe's backlog leaves as one write per receiver (the transport's) */
    public FanOut(MessageBus bus, Executor pool, int stripes, int maxBacklog, WriteMerging merging) {
        this.bus = bus;
        this.maxBacklog = maxBacklog;
        this.stripes = new SerialExecutor[Math.max(1, stripes)];
        for (int i = 0; i < this.stripes.length; i++) {
            this.stripes[i] = new SerialExecutor(pool, merging);
        }
    }

    /** Registers a receiver on the channel; see the class comment for what the caller does next. */
    public Attachment attach(String channel, Receiver receiver) {
        int stripe = (int) (nextStripe.getAndIncrement() % stripes.length);
        while (true) {
            Local local = channels.computeIfAbsent(channel, Local::new);
            Attachment attachment = new Attachment(local, receiver, stripe);
            if (local.add(attachment)) {
                attachment.at = bus.position(channel); // after registering: every later event reaches it
                return attachment;
            }
        }
    }

    /**
     * Whether the channel's fan-out here is more than {@code fan-out.max-backlog} events behind:
     * publishers are then refused (chat and images: {@code rate-limited}; STOMP: ERROR) until it
     * catches up — fan-out runs after the publisher's lock, so this is its back-pressure, and the
     * bound on what waiting events hold.
     */
    public boolean overloaded(String channel) {
        Local local = channels.get(channel);
        long behind = bus.pending(channel) + (local == null ? 0 : local.inFlight.get());
        return behind >= maxBacklog;
    }

    /** Receivers of the channel on this node. */
    public int receivers(String channel) {
        Local local = channels.get(channel);
        return local == null ? 0 : local.attachments.size();
    }

    /** One receiver's place on a channel. */
    public static final class Attachment implements AutoCloseable {
        private final Local local;
        private final Receiver receiver;
        private final int stripe;
        private volatile Position at;
        private List<Delivery> buffered = new ArrayList<>();
        private boolean closed;

        private Attachment(Local local, Receiver receiver, int stripe) {
            this.local = local;
            this.receiver = receiver;
            this.stripe = stripe;
        }

        /** The channel's position when the receiver was attached: it gets every event after it. */
        public Position position() {
            return at;
        }

        /** The caller has sent what comes up to {@link #position()}: now the events after it. */
        public synchronized void start() {
            if (closed || buffered == null) {
                return;
            }
            List<Delivery> waiting = buffered;
            buffered = null;
            for (Delivery delivery : waiting) {
                if (delivery.event().seq() > at.seq()) {
                    receiver.receive(delivery);
                }
            }
        }

        synchronized void offer(Delivery delivery) {
            if (closed) {
                return;
            }
            if (buffered != null) {
                buffered.add(delivery);
            } else if (delivery.event().seq() > at.seq()) {
                receiver.receive(delivery);
            }
        }

        /** Nothing more reaches the receiver; the channel's listener goes with its last receiver. */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                buffered = null;
            }
            local.remove(this);
        }
    }

    private final class Local {
        final String channel;
        final List<Attachment> attachments = new CopyOnWriteArrayList<>();
        /** The same receivers by stripe, kept as they come and go rather than sorted out per event. */
        final List<List<Attachment>> byStripe = new ArrayList<>();
        MessageBus.Subscription subscription;
        boolean retired;
        /** Once a fan-out has gone on the stripes, every later one does: inline ones could overtake it. */
        volatile boolean striped;
        /** Events handed to the stripes and not yet delivered by all of them. */
        final AtomicInteger inFlight = new AtomicInteger();

        Local(String channel) {
            this.channel = channel;
            for (int i = 0; i < stripes.length; i++) {
                byStripe.add(new CopyOnWriteArrayList<>());
            }
        }

        synchronized boolean add(Attachment attachment) {
            if (retired) {
                return false;
            }
            if (subscription == null) {
                subscription = bus.subscribe(channel, this::dispatch);
            }
            attachments.add(attachment);
            byStripe.get(attachment.stripe).add(attachment);
            return true;
        }

        synchronized void remove(Attachment attachment) {
            byStripe.get(attachment.stripe).remove(attachment);
            if (attachments.remove(attachment) && attachments.isEmpty()) {
                retired = true;
                subscription.close(); // before a new Local for the channel can subscribe
                channels.remove(channel, this);
            }
        }

        /** The bus's listener: one event at a time, in the channel's order. */
        void dispatch(Sequenced event) {
            Delivery delivery = new Delivery(event);
            if (!striped && attachments.size() >= STRIPED_FROM) {
                striped = true;
            }
            if (!striped) {
                for (Attachment attachment : attachments) {
                    attachment.offer(delivery);
                }
                return;
            }
            int[] busy = new int[stripes.length];
            int lanes = 0;
            for (int i = 0; i < stripes.length; i++) {
                if (!byStripe.get(i).isEmpty()) {
                    busy[lanes++] = i;
                }
            }
            if (lanes == 0) {
                return;
            }
            inFlight.incrementAndGet();
            AtomicInteger left = new AtomicInteger(lanes);
            for (int k = 0; k < lanes; k++) {
                List<Attachment> lane = byStripe.get(busy[k]);
                // one that joined since is past this event by its position; one that left is closed
                stripes[busy[k]].execute(() -> {
                    lane.forEach(a -> a.offer(delivery));
                    if (left.decrementAndGet() == 0) {
                        inFlight.decrementAndGet();
                    }
                });
            }
        }
    }
}
