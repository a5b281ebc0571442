package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.flakeidgen.FlakeIdGenerator;
import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;
import dev.switchboard.broker.AckMode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerException;
import dev.switchboard.broker.Message;
import dev.switchboard.broker.MessageCodec;
import dev.switchboard.broker.QueueHomes;
import dev.switchboard.broker.Selector;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.broker.SubscriptionRequest;
import dev.switchboard.broker.store.MessageStore;
import dev.switchboard.broker.store.StoreException;
import dev.switchboard.bus.Delivery;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.SerialExecutor;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * STOMP queues across the cluster ({@link QueueHomes} on the grid). Each queue has a home: the
 * node named for it in the grid map {@value #HOMES}, the first that needed it (a
 * {@code putIfAbsent}), until that node leaves the grid; then the next node that needs the queue
 * takes it over with a {@code replace(queue, departed, itself)}, so exactly one does. The home
 * runs the queue in its own broker, as on one node, and keeps every message it holds in the grid
 * map {@code switchboard.queue.held.QUEUE} (message store id → content; the grid's synchronous
 * backup makes each write survive the loss of any one member); the next home adopts them all,
 * every one marked redelivered — the last home may have handed any of them out, and a mark written
 * beside each hand-over could still be on its way when it died (a duplicate must never come
 * unmarked). Ids come from a Hazelcast flake id generator, so they grow with time on every node.
 * <p>
 * The other nodes talk to a home over its grid topic {@code switchboard.queue.to.NODE} (only
 * {@code byte[]} crosses: application classes are not on other members' class path in Payara):
 * SEND, SUBSCRIBE, ACK, NACK and UNSUBSCRIBE go to it and are answered, deliveries come back to the
 * consumer's node. A node that leaves takes its consumers with it (the home gives their
 * unacknowledged messages to others, redelivered); a home that leaves fails what was waiting for
 * it with {@link HomeLost}, and this node's consumers of its queues follow them to the next home.
 * Hand-over is at least once: a message can come twice, the second time marked redelivered.
 */
public final class GridQueues implements QueueHomes, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GridQueues.class.getName());

    static final String HOMES = "switchboard.queue.homes";
    static final String HELD_PREFIX = "switchboard.queue.held.";
    static final String IDS = "switchboard.queue.ids";
    /** Durable subscriptions: their queue's name → topic, selector and how far into the topic's log they are. */
    static final String DURABLES = "switchboard.durables";
    static final String TOPIC_PREFIX = "switchboard.queue.to.";
    /**
     * How long a call waits for a home's answer before it fails: longer than the grid takes to drop
     * a silent member (10 s standalone), so a home that dies makes its calls follow the queue to the
     * next home rather than fail.
     */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private static final int SEND = 1;
    private static final int SUBSCRIBE = 2;
    private static final int ACK = 3;
    private static final int NACK = 4;
    private static final int UNSUBSCRIBE = 5;
    private static final int DELIVER = 6;
    private static final int REFUSED = 7;
    private static final int ANSWER = 8;
    private static final int END_DURABLE = 9;
    private static final int RECOUNT = 10;

    /** A call waiting for a home's answer. */
    private record Call(String node, String queue, CompletableFuture<Void> answer) {
    }

    /** At a home: a consumer on another node, by the key this broker knows it by. */
    private record Served(String node, String key) {
    }

    private final HazelcastInstance grid;
    /** This node's member id: a new one when it comes back into the grid after a split. */
    private volatile String node;
    private final Executor pool;
    /** What other nodes send here, handled one at a time in the order each sent it. */
    private final SerialExecutor inbound;
    private final IMap<String, String> homes;
    private final IMap<String, String> durables;
    private final FlakeIdGenerator ids;
    private volatile ITopic<byte[]> inbox;
    private volatile UUID inboxRegistration;
    private final UUID membership;
    private final UUID lifecycle;
    private volatile Runnable rejoined = () -> { };
    /** The home of each queue this node has looked up; dropped when that node leaves. */
    private final ConcurrentMap<String, String> knownHomes = new ConcurrentHashMap<>();
    /** The message ids each queue came with when this node took it over. */
    private final ConcurrentMap<String, Set<String>> adoptedIds = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, Call> calls = new ConcurrentHashMap<>();
    private final AtomicLong nextCall = new AtomicLong();
    /** This node's consumers of queues homed elsewhere, by subscription key. */
    private final ConcurrentMap<String, Subscriber> consumers = new ConcurrentHashMap<>();
    /**
     * The home each of those consumers subscribed at: deliveries from any other node are dropped —
     * a departed home's last ones may still be arriving when the next home hands the same messages
     * out again (redelivered), and must not come after them unmarked.
     */
    private final ConcurrentMap<String, String> consumerHomes = new ConcurrentHashMap<>();
    /** At a home: the other nodes' consumers, by the broker's key for them. */
    private final ConcurrentMap<String, Served> served = new ConcurrentHashMap<>();
    /** At a home: SENDs from each node whose writes are under way, sent on in the order that node sent them. */
    private final Map<String, ArrayDeque<InLine>> sendLines = new ConcurrentHashMap<>();
    private volatile Broker broker;
    private volatile Consumer<String> homeLost = queue -> { };

    public GridQueues(Grid grid, Executor pool) {
        this.grid = grid.instance();
        this.node = grid.nodeId();
        this.pool = pool;
        this.inbound = new SerialExecutor(pool);
        this.homes = this.grid.getMap(HOMES);
        this.durables = this.grid.getMap(DURABLES);
        this.ids = this.grid.getFlakeIdGenerator(IDS);
        listen();
        this.membership = this.grid.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                String gone = event.getMember().getUuid().toString();
                pool.execute(() -> nodeGone(gone));
            }
        });
        this.lifecycle = this.grid.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                pool.execute(this::merged);
            }
        });
    }

    private void listen() {
        inbox = grid.getTopic(TOPIC_PREFIX + node);
        inboxRegistration = inbox.addMessageListener(message -> received(message.getMessageObject()));
    }

    /**
     * Back in the grid after a split, as a new member: the others dropped this node and took over
     * what it ran. Its requests go to its new id's topic; what waited for an answer fails (and
     * follows its queue); the broker gives up its queues and moves their consumers.
     */
    private synchronized void merged() {
        ITopic<byte[]> old = inbox;
        old.removeMessageListener(inboxRegistration);
        node = grid.getCluster().getLocalMember().getUuid().toString();
        listen();
        knownHomes.clear();
        served.clear();
        sendLines.clear();
        for (Map.Entry<Long, Call> entry : calls.entrySet()) {
            fail(entry.getKey(), new HomeLost(entry.getValue().queue()));
        }
        rejoined.run();
    }

    @Override
    public void onRejoined(Runnable rejoined) {
        this.rejoined = rejoined;
    }

    @Override
    public void recount(String queue) {
        Home home = home(queue, true);
        if (home.here()) {
            broker.recount(queue, held(queue));
        } else {
            tell(queue, RECOUNT, out -> { });
        }
    }

    /** What the grid keeps for {@code queue}, in store-id order. */
    private List<MessageStore.StoredMessage> held(String queue) {
        IMap<Long, byte[]> held = grid.getMap(HELD_PREFIX + queue);
        List<MessageStore.StoredMessage> kept = new ArrayList<>();
        held.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
                kept.add(new MessageStore.StoredMessage(entry.getKey(), queue, true, entry.getValue())));
        return kept;
    }

    /** The broker whose queues this node runs as their home (set once, before any other node can ask). */
    public void serve(Broker broker) {
        this.broker = broker;
    }

    // ---- where a queue runs ---------------------------------------------------------------------

    /** Known homes kept at most; it is only a cache of the grid's map. */
    private static final int KNOWN_HOMES = 10_000;

    @Override
    public Home home(String queue, boolean mayClaim) {
        if (knownHomes.size() > KNOWN_HOMES) {
            knownHomes.clear();
        }
        String known = knownHomes.get(queue);
        if (known != null && (known.equals(node) || alive(known))) {
            return known.equals(node) ? new Home(true, new GridQueueStore(queue), List.of()) : Home.ELSEWHERE;
        }
        synchronized (this) { // one takeover at a time on this node
            while (true) {
                String current = homes.get(queue);
                if (current != null && (current.equals(node) || alive(current))) {
                    knownHomes.put(queue, current);
                    return current.equals(node) ? new Home(true, new GridQueueStore(queue), List.of()) : Home.ELSEWHERE;
                }
                if (!mayClaim) {
                    return null;
                }
                boolean claimed = current == null ? homes.putIfAbsent(queue, node) == null
                        : homes.replace(queue, current, node);
                if (claimed) {
                    List<MessageStore.StoredMessage> adopted = current == null ? List.of() : takeOver(queue, current);
                    knownHomes.put(queue, node);
                    return new Home(true, new GridQueueStore(queue), adopted);
                }
            }
        }
    }

    private boolean alive(String member) {
        for (Member m : grid.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(member)) {
                return true;
            }
        }
        return false;
    }

    /** What the departed home held, in store-id order (the order it stored them), all marked delivered. */
    private List<MessageStore.StoredMessage> takeOver(String queue, String departed) {
        List<MessageStore.StoredMessage> adopted = held(queue);
        Set<String> messageIds = ConcurrentHashMap.newKeySet();
        for (MessageStore.StoredMessage stored : adopted) {
            try {
                messageIds.add(MessageCodec.decode(stored.content()).id());
            } catch (IOException e) {
                // the broker reports it when it restores the message
            }
        }
        adoptedIds.put(queue, messageIds);
        LOG.info("Cluster: this node took over " + queue + " from departed node " + departed + " with "
                + adopted.size() + " messages");
        return adopted;
    }

    @Override
    public void released(String queue) {
        knownHomes.remove(queue, node);
        adoptedIds.remove(queue);
        try {
            grid.getMap(HELD_PREFIX + queue).destroy(); // empty: the queue held nothing
            homes.remove(queue, node);
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        }
    }

    @Override
    public boolean adopted(String queue, String messageId) {
        Set<String> taken = adoptedIds.get(queue);
        return taken != null && taken.contains(messageId);
    }

    @Override
    public void onHomeLost(Consumer<String> lost) {
        this.homeLost = lost;
    }

    // ---- durable subscriptions ----------------------------------------------------------------------

    private static String encode(DurableSubscription durable) {
        return durable.topic() + "\n" + (durable.selector() == null ? "" : durable.selector()) + "\n"
                + (durable.epoch() == null ? "" : durable.epoch()) + "\n" + durable.offset();
    }

    private static DurableSubscription decodeDurable(String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split("\n", -1);
        int last = parts.length - 1; // a selector may hold line breaks; the topic, epoch and offset do not
        String selector = String.join("\n", java.util.Arrays.copyOfRange(parts, 1, last - 1));
        return new DurableSubscription(parts[0], selector.isEmpty() ? null : selector,
                parts[last - 1].isEmpty() ? null : parts[last - 1], Long.parseLong(parts[last]));
    }

    @Override
    public DurableSubscription durable(String queue) {
        return decodeDurable(durables.get(queue));
    }

    @Override
    public DurableSubscription createDurable(String queue, DurableSubscription wanted) {
        String there = durables.putIfAbsent(queue, encode(wanted));
        return there == null ? wanted : decodeDurable(there);
    }

    @Override
    public void durableAt(String queue, DurableSubscription moved) {
        durables.setAsync(queue, encode(moved));
    }

    @Override
    public void forgetDurable(String queue) {
        durables.delete(queue);
        grid.getMap(HELD_PREFIX + queue).destroy();
    }

    @Override
    public CompletableFuture<Void> endDurable(String queue, String clientId, String name) {
        return call(queue, END_DURABLE, out -> out.string(clientId).string(name));
    }

    // ---- calls to a home --------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> send(Message message, boolean again) {
        return call(message.destination(), SEND, out -> out.flag(again).blob(MessageCodec.encode(message)));
    }

    @Override
    public CompletableFuture<Void> subscribe(SubscriptionRequest request, Subscriber subscriber) {
        consumers.put(request.key(), subscriber);
        String home = knownHomes.get(request.destination());
        if (home != null) {
            consumerHomes.put(request.key(), home);
        }
        CompletableFuture<Void> answer = call(request.destination(), SUBSCRIBE, out -> out.string(request.key())
                .string(request.ack().header()).number(request.prefetch())
                .string(request.selector() == null ? "" : request.selector().text()));
        return answer.whenComplete((done, failed) -> {
            if (failed != null) {
                consumers.remove(request.key(), subscriber);
            }
        });
    }

    /** Never fails for a home that went: the next one hands the messages out again, redelivered. */
    @Override
    public CompletableFuture<Void> ack(String queue, String key, String messageId) {
        return call(queue, ACK, out -> out.string(key).string(messageId)).exceptionallyCompose(error ->
                error instanceof HomeLost || error.getCause() instanceof HomeLost ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(error));
    }

    @Override
    public void nack(String queue, String key, String messageId) {
        tell(queue, NACK, out -> out.string(key).string(messageId));
    }

    @Override
    public void unsubscribe(String queue, String key) {
        consumers.remove(key);
        consumerHomes.remove(key);
        tell(queue, UNSUBSCRIBE, out -> out.string(key));
    }

    private interface Body {
        void write(EventBytes.Writer out);
    }

    private CompletableFuture<Void> call(String queue, int kind, Body body) {
        String to = knownHomes.get(queue);
        if (to == null || to.equals(node)) {
            return CompletableFuture.failedFuture(new HomeLost(queue)); // moved meanwhile: the broker looks again
        }
        long id = nextCall.incrementAndGet();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        calls.put(id, new Call(to, queue, answer));
        EventBytes.Writer out = new EventBytes.Writer().kind(kind).number(id).string(node).string(queue);
        body.write(out);
        if (!publish(to, out.bytes()) || !alive(to)) {
            fail(id, new HomeLost(queue));
        }
        return answer.orTimeout(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, failed) -> calls.remove(id));
    }

    private void tell(String queue, int kind, Body body) {
        String to = knownHomes.get(queue);
        if (to != null && !to.equals(node)) {
            EventBytes.Writer out = new EventBytes.Writer().kind(kind).number(0).string(node).string(queue);
            body.write(out);
            publish(to, out.bytes());
        }
    }

    private boolean publish(String to, byte[] bytes) {
        try {
            grid.<byte[]>getTopic(TOPIC_PREFIX + to).publish(bytes);
            return true;
        } catch (HazelcastInstanceNotActiveException e) {
            return false; // this node is stopping
        }
    }

    private void fail(long id, Throwable error) {
        Call call = calls.remove(id);
        if (call != null) {
            pool.execute(() -> call.answer.completeExceptionally(error));
        }
    }

    // ---- what arrives ------------------------------------------------------------------------------

    private void received(byte[] bytes) {
        EventBytes.Reader in = new EventBytes.Reader(bytes);
        int kind = in.kind();
        long id = in.number();
        if (kind == ANSWER) {
            answered(id, in);
            return;
        }
        inbound.execute(() -> {
            try {
                handle(kind, id, in);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Cluster: a queue request from another node failed here", e);
            }
        });
    }

    private void handle(int kind, long id, EventBytes.Reader in) {
        String from = in.string();
        String queue = in.string();
        Broker here = broker;
        switch (kind) {
            case SEND -> {
                boolean again = in.flag();
                Message message = decode(in.blob());
                if (again && adopted(queue, message.id())) {
                    answer(from, id, null); // taken over with the queue: held already
                    return;
                }
                try {
                    Broker.Pending pending = here.sendAsync(message);
                    inLine(from, pending, id);
                } catch (BrokerException e) {
                    answer(from, id, e);
                }
            }
            case SUBSCRIBE -> {
                String key = in.string();
                AckMode ack = AckMode.parse(in.string()).orElse(AckMode.AUTO);
                int prefetch = (int) in.number();
                String selector = in.string();
                String servedKey = from + "|" + key;
                try {
                    here.subscribe(new SubscriptionRequest(servedKey, queue, ack, prefetch,
                            selector.isEmpty() ? null : Selector.parse(selector), null, null, null),
                            new Forwarding(from, key));
                    served.put(servedKey, new Served(from, key));
                    if (!alive(from)) {
                        dropServed(servedKey); // it left while subscribing
                    }
                    answer(from, id, null);
                } catch (BrokerException e) {
                    answer(from, id, e);
                }
            }
            case ACK -> {
                String servedKey = from + "|" + in.string();
                Broker.Pending pending = here.ackAsync(servedKey, in.string());
                if (pending == null) {
                    answer(from, id, null);
                } else {
                    pending.written().whenComplete((done, failed) -> inbound.execute(() -> {
                        if (failed == null) {
                            pending.go();
                        }
                        answer(from, id, failed == null ? null : BrokerException.store(failed.getMessage()));
                    }));
                }
            }
            case NACK -> here.nack(from + "|" + in.string(), in.string());
            case UNSUBSCRIBE -> dropServed(from + "|" + in.string());
            case RECOUNT -> here.recount(queue, held(queue));
            case END_DURABLE -> {
                try {
                    here.endDurable(in.string(), in.string());
                    answer(from, id, null);
                } catch (BrokerException e) {
                    answer(from, id, e);
                }
            }
            case DELIVER -> {
                String key = in.string();
                Subscriber subscriber = consumers.get(key);
                boolean redelivered = in.flag();
                Message message = decode(in.blob());
                if (subscriber != null && from.equals(consumerHomes.get(key))) {
                    subscriber.deliver(message, redelivered, null);
                }
            }
            case REFUSED -> {
                Subscriber subscriber = consumers.get(in.string());
                BrokerException reason = BrokerException.of(BrokerException.Kind.valueOf(in.string()), in.string(),
                        in.string());
                if (subscriber != null) {
                    subscriber.refused(reason);
                }
            }
            default -> LOG.warning("Cluster: a queue message of unknown kind " + kind + " is dropped");
        }
    }

    /** A SEND from another node whose write is under way, and the call to answer when it is done. */
    private record InLine(Broker.Pending pending, long id) {
    }

    /**
     * A SEND from another node whose write is under way: sent on, and answered, after the ones that
     * node sent before it (their writes may finish in any order).
     */
    private void inLine(String from, Broker.Pending pending, long id) {
        ArrayDeque<InLine> line = sendLines.computeIfAbsent(from, n -> new ArrayDeque<>());
        synchronized (line) {
            line.addLast(new InLine(pending, id));
        }
        pending.written().whenComplete((done, failed) -> inbound.execute(() -> advance(from, line)));
    }

    private void advance(String from, ArrayDeque<InLine> line) {
        while (true) {
            InLine head;
            synchronized (line) {
                head = line.peekFirst();
                if (head == null || !head.pending().written().isDone()) {
                    return;
                }
                line.pollFirst();
            }
            BrokerException refusal = refusalOf(head.pending().written());
            if (refusal == null) {
                head.pending().go();
            } else {
                head.pending().undo();
            }
            answer(from, head.id(), refusal);
        }
    }

    private static BrokerException refusalOf(CompletableFuture<Void> written) {
        try {
            written.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof BrokerException b ? b : BrokerException.store(String.valueOf(e.getCause()));
        }
    }

    private void answer(String to, long id, BrokerException refusal) {
        EventBytes.Writer out = new EventBytes.Writer().kind(ANSWER).number(id).flag(refusal == null);
        if (refusal != null) {
            out.string(refusal.kind().name()).string(refusal.code()).string(refusal.getMessage());
        }
        publish(to, out.bytes());
    }

    private void answered(long id, EventBytes.Reader in) {
        Call call = calls.remove(id);
        if (call == null) {
            return; // timed out, or its home went first
        }
        if (in.flag()) {
            pool.execute(() -> call.answer.complete(null));
        } else {
            BrokerException refusal = BrokerException.of(BrokerException.Kind.valueOf(in.string()), in.string(), in.string());
            pool.execute(() -> call.answer.completeExceptionally(refusal));
        }
    }

    private void dropServed(String servedKey) {
        if (served.remove(servedKey) != null) {
            broker.unsubscribe(servedKey);
        }
    }

    private static Message decode(byte[] content) {
        try {
            return MessageCodec.decode(content);
        } catch (IOException e) {
            throw new IllegalArgumentException("an unreadable message from another node: " + e.getMessage(), e);
        }
    }

    /** At a home: a consumer on another node; its deliveries go to that node's topic, in order. */
    private final class Forwarding implements Subscriber {
        private final String to;
        private final String key;

        Forwarding(String to, String key) {
            this.to = to;
            this.key = key;
        }

        @Override
        public void deliver(Message message, boolean redelivered, Delivery shared) {
            publish(to, new EventBytes.Writer().kind(DELIVER).number(0).string(node).string(message.destination())
                    .string(key).flag(redelivered).blob(MessageCodec.encode(message)).bytes());
        }

        @Override
        public void refused(BrokerException reason) {
            publish(to, new EventBytes.Writer().kind(REFUSED).number(0).string(node).string("").string(key)
                    .string(reason.kind().name()).string(reason.code()).string(reason.getMessage()).bytes());
        }
    }

    // ---- a node leaves --------------------------------------------------------------------------------

    private void nodeGone(String gone) {
        // as a home: its consumers go, and what they had not acknowledged goes to others, redelivered
        inbound.execute(() -> {
            for (Map.Entry<String, Served> entry : served.entrySet()) {
                if (entry.getValue().node().equals(gone)) {
                    dropServed(entry.getKey());
                }
            }
            sendLines.remove(gone);
        });
        // as a caller: its late deliveries are dropped, what waited for it fails, and this node's
        // consumers of its queues move on
        consumerHomes.replaceAll((key, home) -> home.equals(gone) ? "" : home);
        for (Map.Entry<Long, Call> entry : calls.entrySet()) {
            if (entry.getValue().node().equals(gone)) {
                fail(entry.getKey(), new HomeLost(entry.getValue().queue()));
            }
        }
        List<String> lost = new ArrayList<>();
        knownHomes.forEach((queue, home) -> {
            if (home.equals(gone) && knownHomes.remove(queue, home)) {
                lost.add(queue);
            }
        });
        // a durable subscription collects its topic's messages while its client is away: the oldest
        // node moves those of the departed node at once, consumers or not
        if (oldest()) {
            for (String queue : durables.keySet()) {
                if (gone.equals(homes.get(queue)) && !lost.contains(queue)) {
                    lost.add(queue);
                }
            }
        }
        for (String queue : lost) {
            try {
                homeLost.accept(queue);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Cluster: the consumers of " + queue + " could not move to its next node", e);
            }
        }
    }

    private boolean oldest() {
        java.util.Iterator<Member> members = grid.getCluster().getMembers().iterator();
        return members.hasNext() && members.next().localMember();
    }

    @Override
    public void close() {
        try {
            inbox.removeMessageListener(inboxRegistration);
            grid.getCluster().removeMembershipListener(membership);
            grid.getLifecycleService().removeLifecycleListener(lifecycle);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
    }

    // ---- where a home keeps its queue ---------------------------------------------------------------

    /**
     * A queue's messages in the grid, for its next home: what the broker would write to its store,
     * every message of the queue (not only persistent ones). Each write is answered once the
     * member that owns the entry and its backup have it; writes complete in the order they were
     * made, as {@link MessageStore#writeAsync} promises. Delivered marks are not kept: the next
     * home marks everything it takes over.
     */
    private final class GridQueueStore implements MessageStore {
        private final IMap<Long, byte[]> held;
        private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

        GridQueueStore(String queue) {
            this.held = grid.getMap(HELD_PREFIX + queue);
        }

        @Override
        public Contents open() {
            return new Contents(List.of(), List.of(), 0);
        }

        @Override
        public long nextId() {
            return ids.newId();
        }

        @Override
        public void write(Batch batch, boolean durable) throws StoreException {
            try {
                writeAsync(batch, durable).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof StoreException s ? s : new StoreException(String.valueOf(e.getCause()), e);
            }
        }

        @Override
        public synchronized CompletableFuture<Void> writeAsync(Batch batch, boolean durable) {
            List<CompletableFuture<?>> writes = new ArrayList<>();
            try {
                for (Batch.Operation operation : batch.operations()) {
                    if (operation instanceof Batch.AddMessage add) {
                        writes.add(held.setAsync(add.id(), add.content()).toCompletableFuture());
                    } else if (operation instanceof Batch.RemoveMessage remove) {
                        writes.add(held.removeAsync(remove.id()).toCompletableFuture());
                    }
                }
            } catch (HazelcastInstanceNotActiveException e) {
                return CompletableFuture.failedFuture(new StoreException("this node has left the cluster"));
            }
            CompletableFuture<Void> mine = CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                            new StoreException("the cluster did not keep the queue's messages: " + e.getMessage(), e)));
            CompletableFuture<Void> before = last;
            CompletableFuture<Void> ordered = mine.thenCombine(before.exceptionally(e -> null), (a, b) -> null);
            last = ordered;
            return ordered;
        }

        @Override
        public String problem() {
            return null;
        }

        @Override
        public long records() {
            return held.size();
        }

        @Override
        public void close() {
        }
    }
}
