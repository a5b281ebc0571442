package dev.switchboard.stomp;

import dev.switchboard.broker.AckMode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerException;
import dev.switchboard.broker.Holdings;
import dev.switchboard.broker.Message;
import dev.switchboard.broker.Selector;
import dev.switchboard.broker.SubscriptionRequest;
import dev.switchboard.bus.Since;
import dev.switchboard.connection.Broadcast;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One STOMP connection's protocol state machine: the negotiated version, its subscriptions, open
 * transactions, receipts, errors and heart-beats (checked by the broker's one sweep,
 * {@link #tick}). Frames arrive in order from the connection; deliveries arrive from any thread.
 * It turns frames into calls on the broker core ({@link Broker}), which knows nothing of STOMP,
 * and the core's messages into MESSAGE frames. Pure: it talks to its connection only through
 * {@link Transport}.
 */
public final class StompSession {

    /** The connection underneath. */
    public interface Transport {
        /** Hands a frame to the connection's outbox; never blocks. */
        void send(Broadcast.Frame frame);

        /** Closes the WebSocket with a code and reason. */
        void close(int code, String reason);

        /** Nanosecond time the peer was last heard from (any message). */
        long lastHeardNanos();

        /** One frame from the client against its rate limit: false to refuse it. Heart-beats are not frames. */
        default boolean admit() {
            return true;
        }

        /** A refusal, by its metrics code, just before its ERROR is sent. */
        default void refused(String code) {
        }

        /** A SUBSCRIBE with {@code x-since}: whether everything after it could be recovered. */
        default void recovery(boolean complete) {
        }
    }

    private static final Logger LOG = Logger.getLogger(StompSession.class.getName());

    private static final String SERVER = "Switchboard/0.1";

    private final StompBroker broker;
    private final Transport transport;
    private final StompSecurity security;
    private final StompDecoder decoder;
    private final Map<String, StompSubscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, Transaction> transactions = new LinkedHashMap<>();
    private final AtomicBoolean refused = new AtomicBoolean();
    private volatile StompVersion version = StompVersion.V1_2;
    private boolean connected;
    private boolean closed;
    private String user;
    /** CONNECT's {@code client-id}: whose durable subscriptions these are (Artemis's header). */
    private String clientId;
    /** Heart-beats (STOMP 1.2 "Heart-beating"), in nanoseconds, 0 for never; read by the sweep. */
    private volatile long sendEveryNanos;
    private volatile long silenceLimitNanos;
    private long nextBeatNanos;

    /** What the current frame's RECEIPT adds ({@code x-recovered}), and what follows it (recovered messages). */
    private Boolean receiptRecovered;
    private Runnable afterReceipt;

    /** SUBSCRIBE's and UNSUBSCRIBE's headers for flow control, selectors and durable subscriptions (Artemis's names). */
    static final String PREFETCH = "prefetch-count";
    static final String SELECTOR = "selector";
    static final String DURABLE_NAME = "durable-subscription-name";

    /** CONNECTED's {@code session}: unique, across restarts and nodes too (an identity hash is not). */
    private final String id;

    StompSession(StompBroker broker, Transport transport, StompSecurity security) {
        this.broker = broker;
        this.id = "s-" + broker.nextMessageId();
        this.transport = transport;
        this.security = security;
        StompSettings settings = broker.settings();
        this.decoder = new StompDecoder(settings.maxFrameBytes(), settings.maxHeaders(), settings.maxHeaderLineBytes());
    }

    StompVersion version() {
        return version;
    }

    String id() {
        return id;
    }

    /** The logged-in user, for the monitor (null before CONNECT). */
    String user() {
        return user;
    }

    /** CONNECT's client-id, for the monitor (null when none). */
    String clientId() {
        return clientId;
    }

    StompBroker broker() {
        return broker;
    }

    /**
     * Bytes from the WebSocket (a text or binary message): every frame they complete is handled.
     * A refused frame ends the session: the caller sends the ERROR and closes.
     */
    public synchronized void receive(ByteBuffer bytes) throws StompException {
        if (closed || refused.get()) {
            return;
        }
        try {
            receiveFrames(bytes);
        } catch (RuntimeException e) {
            // A bug must not leave the client waiting for an answer that never comes: ERROR, 1011.
            LOG.log(Level.WARNING, "STOMP frame handling failed", e);
            throw StompException.internal();
        }
    }

    private void receiveFrames(ByteBuffer bytes) throws StompException {
        for (StompFrame frame : decoder.decode(bytes)) {
            if (!parked.isEmpty() || (!inFlight.isEmpty() && !isPlainSend(frame))) {
                parked.addLast(frame); // after a SEND still on its way to the disk: its turn comes in order
                continue;
            }
            if (!process(frame)) {
                return;
            }
        }
    }

    /** One frame, answered (or its answer queued behind a SEND on its way to the disk); false after DISCONNECT. */
    private boolean process(StompFrame frame) throws StompException {
        String receipt = frame.header("receipt");
        try {
            if (!transport.admit()) {
                throw StompException.limit("rate-limited", "over the rate limit of this connection");
            }
            if (isPlainSend(frame) && publishInOrder(frame, receipt)) {
                return true; // its RECEIPT follows once the store has it
            }
            handle(frame);
        } catch (StompException e) {
            throw e.withReceipt(receipt);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "STOMP " + frame.command() + " failed", e);
            throw StompException.internal().withReceipt(receipt);
        }
        if (receipt != null && frame.command() != StompCommand.CONNECT && frame.command() != StompCommand.STOMP) {
            StompFrame.Builder answer = StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", receipt);
            if (receiptRecovered != null) {
                answer.header(StompRecovery.RECOVERED, receiptRecovered.toString());
            }
            send(answer.build());
        }
        receiptRecovered = null;
        if (afterReceipt != null) {
            Runnable next = afterReceipt;
            afterReceipt = null;
            next.run();
        }
        if (frame.command() == StompCommand.DISCONNECT) {
            transport.close(1000, "disconnected");
            return false;
        }
        return true;
    }

    // ---- SENDs on their way to the disk -------------------------------------------------------------

    /** A SEND whose message is being written; its RECEIPT (if asked) goes out once it is, in frame order. */
    private record InFlight(String receipt, Broker.Pending pending) {
    }

    /** SENDs written and not yet on disk, in frame order; frames behind them that must wait their turn. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<StompFrame> parked = new ArrayDeque<>();

    /** A SEND or ACK outside a transaction: what may join the line of frames waiting for the disk. */
    private boolean isPlainSend(StompFrame frame) {
        return connected && (frame.command() == StompCommand.SEND || frame.command() == StompCommand.ACK)
                && frame.header("transaction") == null;
    }

    /**
     * A SEND that must wait for the store (a persistent one), or that follows one that does, joins
     * the line: its room is taken now, its write starts now — so a connection's SENDs share the
     * disk's forces instead of waiting for one each — and it is sent on, and its RECEIPT sent, in
     * order, once written ({@link #advance}). No thread waits on the disk meanwhile. False for a
     * SEND that can go at once (the caller sends it as before).
     */
    private boolean publishInOrder(StompFrame frame, String receipt) throws StompException {
        if (frame.command() == StompCommand.ACK) {
            return acknowledgeInOrder(frame, receipt);
        }
        boolean persistent = "true".equals(frame.header(StompMessages.PERSISTENT));
        if (inFlight.isEmpty() && !broker.core().sendWaits(frame.header("destination"), persistent)) {
            return false;
        }
        checkSend(frame);
        Message message = message(frame);
        Broker.Pending pending;
        try {
            pending = broker.core().sendAsync(message);
        } catch (BrokerException e) {
            throw StompException.of(e);
        }
        joinLine(receipt, pending);
        return true;
    }

    private void joinLine(String receipt, Broker.Pending pending) {
        inFlight.addLast(new InFlight(receipt, pending));
        // the store completes on its own thread: the rest happens on the broker's
        pending.written().whenComplete((done, error) -> broker.work().execute(this::advance));
    }

    /**
     * An ACK with a RECEIPT waits for the store to forget what it covers; so does any ACK behind a
     * line: it joins it, the removal starts now, and its RECEIPT follows in order. False for an ACK
     * that can be done at once (the caller does it as before).
     */
    private boolean acknowledgeInOrder(StompFrame frame, String receipt) throws StompException {
        if (inFlight.isEmpty() && receipt == null) {
            return false;
        }
        Broker.Acknowledgement acknowledgement = acknowledgement(frame, true);
        if (inFlight.isEmpty() && (acknowledgement == null || !broker.core().ackWaits(acknowledgement.key()))) {
            return false;
        }
        Broker.Pending pending = acknowledgement == null ? null
                : broker.core().ackAsync(acknowledgement.key(), acknowledgement.messageId());
        if (pending == null) {
            if (inFlight.isEmpty()) {
                return false; // nothing to acknowledge: answered at once
            }
            pending = Broker.Pending.done();
        }
        joinLine(receipt, pending);
        return true;
    }

    /**
     * Sends on every SEND at the head of the line whose write is done, with its RECEIPT; a write
     * that failed refuses the connection (ERROR naming the problem, with its receipt-id). Then the
     * frames that waited behind the line, in order.
     */
    private synchronized void advance() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().pending().written().isDone()) {
            InFlight head = inFlight.pollFirst();
            if (head.pending().written().isCompletedExceptionally()) {
                head.pending().undo();
                refuse(storeFailure(head));
                continue; // what else is on its way is written or fails alike: sent on or given back
            }
            head.pending().go();
            if (head.receipt() != null && !closed && !refused.get()) {
                send(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", head.receipt()).build());
            }
        }
        if (closed || refused.get()) {
            parked.clear();
            return;
        }
        try {
            while (inFlight.isEmpty() && !parked.isEmpty()) {
                if (!process(parked.pollFirst())) {
                    parked.clear();
                    return;
                }
            }
            while (!parked.isEmpty() && isPlainSend(parked.peekFirst())) {
                process(parked.pollFirst()); // more SENDs join the line at once
            }
        } catch (StompException e) {
            parked.clear();
            refuse(e);
        } catch (RuntimeException e) {
            parked.clear();
            LOG.log(Level.WARNING, "STOMP frame handling failed", e);
            refuse(StompException.internal());
        }
    }

    private static StompException storeFailure(InFlight failed) {
        Throwable error;
        try {
            failed.pending().written().join();
            error = null;
        } catch (java.util.concurrent.CompletionException e) {
            error = e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            error = e;
        }
        StompException refusal = error instanceof BrokerException b ? StompException.of(b)
                : StompException.of(BrokerException.store("the message store failed: " + error));
        return refusal.withReceipt(failed.receipt());
    }

    private void handle(StompFrame frame) throws StompException {
        StompCommand command = frame.command();
        if (!connected && command != StompCommand.CONNECT && command != StompCommand.STOMP) {
            throw StompException.malformed("send CONNECT first");
        }
        switch (command) {
            case CONNECT, STOMP -> connect(frame);
            case SEND -> inTransactionOr(frame, () -> publish(frame));
            case SUBSCRIBE -> subscribe(frame);
            case UNSUBSCRIBE -> unsubscribe(frame);
            case ACK, NACK -> inTransactionOr(frame, () -> acknowledge(frame, command == StompCommand.ACK,
                    frame.header("receipt") != null));
            case BEGIN -> begin(frame);
            case COMMIT -> commit(frame);
            case ABORT -> abort(frame);
            case DISCONNECT -> abortAll();
            default -> throw StompException.malformed(command + " is a server frame");
        }
    }

    // ---- CONNECT ----------------------------------------------------------------------------------

    private void connect(StompFrame frame) throws StompException {
        if (connected) {
            throw StompException.malformed("already connected");
        }
        StompVersion chosen = StompVersion.negotiate(frame.header("accept-version")).orElse(null);
        if (chosen == null) {
            throw StompException.malformed("Supported protocol versions are " + StompVersion.SUPPORTED);
        }
        version = chosen;
        decoder.version(chosen);
        user = security.login(frame.header("login"), frame.header("passcode"));
        clientId = frame.header("client-id");
        if (clientId != null && (clientId.isEmpty() || dev.switchboard.connection.Utf8.encodedLength(clientId) > Broker.MAX_DESTINATION_BYTES)) {
            throw StompException.malformed("client-id is 1 to " + Broker.MAX_DESTINATION_BYTES + " bytes");
        }
        connected = true;
        long[] beats = heartbeats(frame.header("heart-beat"));
        StompFrame.Builder reply = StompFrame.builder(StompCommand.CONNECTED).header("version", chosen.header())
                .header("server", SERVER).header("session", id);
        if (chosen != StompVersion.V1_0) {
            reply.header("heart-beat", beats[0] + "," + beats[1]);
        }
        if (user != null) {
            reply.header("user-name", user);
        }
        send(reply.build());
        startHeartbeats(beats[0], beats[1]);
    }

    /** STOMP 1.2 "Heart-beating": returns {server sends every, server expects every} in ms, 0 for never. */
    private long[] heartbeats(String header) throws StompException {
        long cx = 0;
        long cy = 0;
        if (header != null && version != StompVersion.V1_0) {
            String[] parts = header.split(",");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                cx = Long.parseLong(parts[0].trim());
                cy = Long.parseLong(parts[1].trim());
            } catch (NumberFormatException e) {
                throw StompException.malformed("heart-beat must be two numbers, like 10000,10000");
            }
            if (cx < 0 || cy < 0) {
                throw StompException.malformed("heart-beat values must not be negative");
            }
        }
        StompSettings settings = broker.settings();
        long send = cy == 0 || settings.heartbeatSendMs() == 0 ? 0 : Math.max(settings.heartbeatSendMs(), cy);
        long expect = cx == 0 || settings.heartbeatReceiveMs() == 0 ? 0 : Math.max(settings.heartbeatReceiveMs(), cx);
        return new long[] {send, expect};
    }

    private void startHeartbeats(long sendEvery, long expectEvery) {
        nextBeatNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sendEvery);
        sendEveryNanos = TimeUnit.MILLISECONDS.toNanos(sendEvery);
        // the spec allows for timing error; a peer silent for twice its interval is gone
        silenceLimitNanos = TimeUnit.MILLISECONDS.toNanos(2 * expectEvery);
    }

    /**
     * The broker's sweep, every so often for every session: a heart-beat when one is due, a close
     * for a peer silent past its limit, an abort for a transaction past {@code stomp.transaction-ttl}.
     */
    void tick(long now) {
        if (sendEveryNanos > 0 && now - nextBeatNanos >= 0) {
            nextBeatNanos = now + sendEveryNanos;
            transport.send(Broadcast.Text.of("\n"));
        }
        if (silenceLimitNanos > 0 && now - transport.lastHeardNanos() > silenceLimitNanos) {
            silenceLimitNanos = 0;
            transport.close(1001, "no heart-beat from the client");
        }
        if (hasTransactions) {
            expireTransactions(now);
        }
    }

    // ---- SEND, SUBSCRIBE, UNSUBSCRIBE --------------------------------------------------------------

    /** What every SEND is checked for when it arrives, in a transaction or not. */
    private void checkSend(StompFrame frame) throws StompException {
        String destination = frame.header("destination");
        checkDestination(destination);
        if (!security.maySend(user, destination)) {
            throw new StompException(StompException.Kind.POLICY, "not allowed to send to " + destination);
        }
        StompMessages.checkRelayable(frame);
    }

    private static void checkDestination(String destination) throws StompException {
        try {
            Broker.checkDestination(destination);
        } catch (BrokerException e) {
            throw StompException.of(e);
        }
    }

    private Message message(StompFrame send) {
        return StompMessages.fromSend(send, broker.nextMessageId());
    }

    private void publish(StompFrame frame) throws StompException {
        checkSend(frame);
        try {
            broker.core().send(message(frame));
        } catch (BrokerException e) {
            throw StompException.of(e);
        }
    }

    private void subscribe(StompFrame frame) throws StompException {
        String destination = frame.header("destination");
        checkDestination(destination);
        String id = frame.header("id");
        if (id == null) {
            if (version != StompVersion.V1_0) {
                throw StompException.malformed("missing header 'id'");
            }
            id = destination;
        }
        AckMode ack = AckMode.parse(frame.header("ack")).orElseThrow(() ->
                StompException.malformed("ack must be auto, client or client-individual"));
        if (subscriptions.containsKey(id)) {
            throw StompException.malformed("subscription id '" + id + "' is already in use");
        }
        if (!security.maySubscribe(user, destination)) {
            throw new StompException(StompException.Kind.POLICY, "not allowed to subscribe to " + destination);
        }
        if (subscriptions.size() >= broker.settings().maxSubscriptions()) {
            throw StompException.limit("too-many-subscriptions", "at most " + broker.settings().maxSubscriptions()
                    + " subscriptions per connection");
        }
        boolean topic = Broker.isTopic(destination);
        Since since = StompRecovery.since(frame.header(StompRecovery.SINCE));
        if (since != null && !topic) {
            throw StompException.malformed(StompRecovery.SINCE + " is for topics: a queue keeps its messages anyway");
        }
        int prefetch = prefetch(frame.header(PREFETCH), ack);
        String durableName = frame.header(DURABLE_NAME);
        if (durableName != null) {
            if (!topic) {
                throw StompException.malformed(DURABLE_NAME + " is for topics: a queue keeps its messages anyway");
            }
            if (clientId == null) {
                throw StompException.malformed(DURABLE_NAME + " needs a client-id on CONNECT: the subscription is the client's");
            }
            if (since != null) {
                throw StompException.malformed(StompRecovery.SINCE + " is for subscriptions that are not durable: a durable one keeps what it missed");
            }
        }
        StompSubscription subscription = new StompSubscription(this, id, ack);
        Broker.Start start;
        try {
            Selector selector = Selector.parse(frame.header(SELECTOR));
            // may refuse: then there is no subscription to remember
            start = broker.core().subscribe(new SubscriptionRequest(subscription.key, destination, ack, prefetch,
                    selector, clientId, durableName, since), subscription);
        } catch (BrokerException e) {
            throw StompException.of(e);
        }
        subscriptions.put(id, subscription);
        // the RECEIPT (saying, with x-since, whether all was recovered) comes before the first messages
        receiptRecovered = start.recovered();
        afterReceipt = start::begin;
        if (start.recovered() != null) {
            transport.recovery(start.recovered());
        }
    }

    /** SUBSCRIBE's {@code prefetch-count} (Artemis's and RabbitMQ's name): a positive whole number, acked modes only. */
    private static int prefetch(String header, AckMode ack) throws StompException {
        if (header == null) {
            return 0;
        }
        int count;
        try {
            count = Integer.parseInt(header.trim());
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1) {
            throw StompException.malformed(PREFETCH + " must be a whole number from 1 to " + Integer.MAX_VALUE);
        }
        if (ack == AckMode.AUTO) {
            throw StompException.malformed(PREFETCH + " needs ack:client or ack:client-individual: with ack:auto nothing is outstanding");
        }
        return count;
    }

    /**
     * UNSUBSCRIBE by {@code id} ends this connection's subscription (a durable one is then away and
     * keeps its messages); with {@code durable-subscription-name} the durable subscription ends for
     * good, and {@code id} may be left out when this connection does not have it.
     */
    private void unsubscribe(StompFrame frame) throws StompException {
        String id = frame.header("id");
        if (id == null && version == StompVersion.V1_0) {
            id = frame.header("destination");
        }
        String durableName = frame.header(DURABLE_NAME);
        if (id == null && durableName == null) {
            throw StompException.malformed("missing header 'id'");
        }
        if (id != null) {
            StompSubscription subscription = subscriptions.remove(id);
            if (subscription == null && durableName == null) {
                throw StompException.malformed("no subscription '" + id + "'");
            }
            if (subscription != null) {
                broker.core().unsubscribe(subscription.key);
            }
        }
        if (durableName != null) {
            try {
                broker.core().endDurable(clientId, durableName);
            } catch (BrokerException e) {
                throw StompException.of(e);
            }
        }
    }

    // ---- ACK, NACK --------------------------------------------------------------------------------

    /** What an ACK or NACK names: the subscription's key and the message id, or null when nothing is outstanding. */
    private Broker.Acknowledgement acknowledgement(StompFrame frame, boolean ack) throws StompException {
        StompSubscription subscription;
        String messageId;
        if (version == StompVersion.V1_2) {
            String id = required(frame, "id");
            int slash = id.indexOf('/');
            subscription = slash < 0 ? null : subscriptions.get(id.substring(0, slash));
            messageId = slash < 0 ? id : id.substring(slash + 1);
        } else {
            messageId = required(frame, "message-id");
            String subscriptionId = frame.header("subscription");
            subscription = subscriptionId != null ? subscriptions.get(subscriptionId) : holderOf(messageId);
        }
        if (subscription == null || !broker.core().hasUnacked(subscription.key, messageId)) {
            return null; // already acknowledged, or never needed one: nothing to do
        }
        return new Broker.Acknowledgement(subscription.key, messageId, ack);
    }

    private void acknowledge(StompFrame frame, boolean ack, boolean durable) throws StompException {
        Broker.Acknowledgement acknowledgement = acknowledgement(frame, ack);
        if (acknowledgement == null) {
            return;
        }
        try {
            if (ack) {
                // with a RECEIPT asked for, the acknowledged messages are gone from the store before it goes out
                broker.core().ack(acknowledgement.key(), acknowledgement.messageId(), durable);
            } else {
                broker.core().nack(acknowledgement.key(), acknowledgement.messageId());
            }
        } catch (BrokerException e) {
            throw StompException.of(e);
        }
    }

    private StompSubscription holderOf(String messageId) {
        for (StompSubscription subscription : subscriptions.values()) {
            if (broker.core().hasUnacked(subscription.key, messageId)) {
                return subscription;
            }
        }
        return null;
    }

    // ---- transactions -----------------------------------------------------------------------------

    private interface Action {
        void run() throws StompException;
    }

    /**
     * A transaction's frames until COMMIT. Bounded: {@code stomp.transaction-bytes} of frames
     * (past that: ERROR, 1008), {@code stomp.transaction-ttl} of age (then it is aborted by the
     * sweep, and its COMMIT is an ERROR), {@code maxTransactions} open per connection.
     */
    private static final class Transaction {
        final List<StompFrame> frames = new ArrayList<>();
        final long deadline;
        long bytes;
        boolean expired;

        Transaction(long deadline) {
            this.deadline = deadline;
        }
    }

    private volatile boolean hasTransactions;

    private void inTransactionOr(StompFrame frame, Action now) throws StompException {
        String name = frame.header("transaction");
        if (name == null) {
            now.run();
            return;
        }
        Transaction transaction = open(name);
        if (frame.command() == StompCommand.SEND) {
            checkSend(frame); // refuse early, not at COMMIT
        }
        long bytes = StompMessages.bytes(frame);
        long limit = broker.settings().transactionBytes();
        if (transaction.bytes + bytes > limit) {
            throw StompException.limit("transaction-too-large", "transaction '" + name + "' would hold more than "
                    + limit + " bytes (stomp.transaction-bytes)");
        }
        if (!broker.core().holdings().reserve(Holdings.Kind.IN_TRANSACTION, bytes)) {
            throw StompException.limit("broker-full", "the broker holds as much as it may for its clients; try later");
        }
        transaction.bytes += bytes;
        transaction.frames.add(frame);
    }

    /** The open transaction called {@code name}; an expired one is an ERROR (1008). */
    private Transaction open(String name) throws StompException {
        Transaction transaction = transactions.get(name);
        if (transaction == null) {
            throw StompException.malformed("no transaction '" + name + "'");
        }
        if (transaction.expired) {
            transactions.remove(name);
            throw StompException.limit("transaction-expired", "transaction '" + name + "' was aborted: open longer than "
                    + broker.settings().transactionTtl().toMillis() + " ms (stomp.transaction-ttl)");
        }
        return transaction;
    }

    private void begin(StompFrame frame) throws StompException {
        String name = required(frame, "transaction");
        if (transactions.containsKey(name)) {
            throw StompException.malformed("transaction '" + name + "' already begun");
        }
        int max = broker.settings().maxTransactions();
        if (transactions.size() >= max) {
            throw StompException.limit("too-many-transactions", "at most " + max + " open transactions per connection");
        }
        transactions.put(name, new Transaction(System.nanoTime() + broker.settings().transactionTtl().toNanos()));
        hasTransactions = true;
    }

    /** Too old: aborted now, so that its frames stop taking memory; the name stays until COMMIT/ABORT says it. */
    private synchronized void expireTransactions(long now) {
        for (Transaction transaction : transactions.values()) {
            if (!transaction.expired && now - transaction.deadline >= 0) {
                transaction.expired = true;
                discard(transaction);
            }
        }
    }

    private void discard(Transaction transaction) {
        broker.core().holdings().release(Holdings.Kind.IN_TRANSACTION, transaction.bytes);
        transaction.bytes = 0;
        transaction.frames.clear();
    }

    /**
     * COMMIT: the transaction's SENDs and ACKs as one — every destination has room or nothing is
     * sent, and every persistent message is in the store (one atomic write) before the answer.
     */
    private void commit(StompFrame frame) throws StompException {
        String name = required(frame, "transaction");
        Transaction transaction = open(name);
        transactions.remove(name);
        hasTransactions = !transactions.isEmpty();
        List<StompFrame> buffered = new ArrayList<>(transaction.frames);
        discard(transaction);
        List<Message> sends = new ArrayList<>();
        List<Broker.Acknowledgement> acks = new ArrayList<>();
        for (StompFrame inside : buffered) {
            if (inside.command() == StompCommand.SEND) {
                sends.add(message(inside));
            } else {
                Broker.Acknowledgement acknowledgement = acknowledgement(inside, inside.command() == StompCommand.ACK);
                if (acknowledgement != null) {
                    acks.add(acknowledgement);
                }
            }
        }
        try {
            broker.core().commit(sends, acks, true);
        } catch (BrokerException e) {
            throw StompException.of(e);
        }
    }

    private void abort(StompFrame frame) throws StompException {
        String name = required(frame, "transaction");
        Transaction transaction = transactions.remove(name);
        if (transaction == null) {
            throw StompException.malformed("no transaction '" + name + "'");
        }
        hasTransactions = !transactions.isEmpty();
        discard(transaction); // an expired one is aborted already: ABORT agrees
    }

    private void abortAll() {
        for (Transaction transaction : transactions.values()) {
            discard(transaction);
        }
        transactions.clear();
        hasTransactions = false;
    }

    private static String required(StompFrame frame, String header) throws StompException {
        String value = frame.header(header);
        if (value == null) {
            throw StompException.malformed("missing header '" + header + "'");
        }
        return value;
    }

    // ---- delivery -----------------------------------------------------------------------------------

    /** The {@code ack} header value (STOMP 1.2, acked modes only), else null. */
    String ackHeader(StompSubscription subscription, Message message) {
        return version == StompVersion.V1_2 && subscription.ackMode != AckMode.AUTO ? subscription.ackId(message) : null;
    }

    void send(Broadcast.Frame frame) {
        transport.send(frame);
    }

    private void send(StompFrame frame) {
        send(toWebSocketFrame(StompEncoder.encode(frame, version)));
    }

    /**
     * Refuses the connection: counts the refusal, sends its ERROR, closes with its code. Once: a
     * second refusal (say, from a fan-out thread at the same moment) is not answered again.
     */
    public void refuse(StompException error) {
        if (!refused.compareAndSet(false, true)) {
            return;
        }
        transport.refused(error.code());
        sendError(error);
        transport.close(error.closeCode(), error.getMessage());
    }

    /**
     * A refusal found on another session's thread (a topic subscriber over its unacknowledged bound,
     * found while fanning out): answered from the broker's timer thread, so that no lock the finder
     * holds is held while the connection closes.
     */
    void fail(StompException error) {
        try {
            broker.timers().execute(() -> refuse(error));
        } catch (RejectedExecutionException stopping) {
            // the broker is closing, and every connection with it
        }
    }

    /** The ERROR frame for a refusal (the caller closes afterwards). */
    public void sendError(StompException error) {
        StompFrame.Builder frame = StompFrame.builder(StompCommand.ERROR).header("message", printable(error.getMessage()))
                .header("content-type", "text/plain").body(error.getMessage());
        if (error.receiptId() != null) {
            frame.header("receipt-id", error.receiptId());
        }
        if (error.getMessage().startsWith("Supported protocol versions")) {
            frame.header("version", StompVersion.SUPPORTED);
        }
        send(frame.build());
    }

    /** An ERROR's {@code message} may quote the client: never with a control character in a header. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    /** Text when the frame is valid UTF-8 (what browsers' STOMP clients expect), binary otherwise. */
    static Broadcast.Frame toWebSocketFrame(byte[] wire) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(wire)).toString();
            return Broadcast.Text.decoded(text, wire); // the frame is built from these bytes, never encoded again
        } catch (CharacterCodingException e) {
            return new Broadcast.Binary(wire);
        }
    }

    /** The connection is gone: subscriptions end (queue messages not acked go back), transactions abort. */
    public synchronized void closed() {
        if (closed) {
            return;
        }
        closed = true;
        sendEveryNanos = 0;
        silenceLimitNanos = 0;
        abortAll();
        for (StompSubscription subscription : subscriptions.values()) {
            broker.core().unsubscribe(subscription.key);
        }
        subscriptions.clear();
        broker.closed(this);
    }
}
