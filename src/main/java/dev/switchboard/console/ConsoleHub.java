package dev.switchboard.console;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.connection.ErrorCode;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The remote console's switchboard: attached targets (pages that let themselves be driven) and
 * operators. An operator's {@code eval} goes to the chosen targets (or all); the operator gets
 * {@code pending} at once, then one {@code result} per target as it arrives — {@code timeout} for a
 * target silent past the eval timeout, {@code detached} for one that leaves first. Results go
 * only to the operator that asked, under its own request id.
 * <p>
 * Who is listed is the {@link ConsoleTargets} directory (this process's, or the cluster's); each
 * hub holds only its own connections and the requests of its own operators. What the hub tells
 * peers goes over three channels, published under the hub's lock, fanned out after it:
 * {@code console:targets} (evals, each target taking those addressed to it), {@code console:hubs}
 * (what the hubs tell each other: a target came or went, a target answered — each hub takes the
 * answers to its own requests) and {@code console:operators} (target lists, pending counts,
 * results, each operator taking its own). With {@code cluster=on} the first two cross nodes
 * ({@link #CODEC}), so an operator on one node reaches targets on all; the third stays on its node.
 */
public final class ConsoleHub implements AutoCloseable {

    static final String OPERATORS = "console:operators";
    /** Evals for targets: crosses nodes in a cluster. */
    public static final String TARGETS = "console:targets";
    /** Targets coming and going, and their answers, for every node's hub: crosses nodes in a cluster. */
    public static final String HUBS = "console:hubs";
    /** How the events of {@link #TARGETS} and {@link #HUBS} cross nodes. */
    public static final EventCodec CODEC = new ConsoleEventCodec();

    /**
     * Evals a target has been sent and not answered, at most: its answers to others are dropped at
     * its own node, and an eval older than this many later ones counts as unanswerable (its
     * operator has had its timeout long before).
     */
    static final int MAX_OPEN_EVALS = 1_000;

    /** What the console's channels carry; none of it is kept (a console does not recover). */
    sealed interface ConsoleEvent extends ChannelEvent {
        @Override
        default boolean retained() {
            return false;
        }

        @Override
        default long bytes() {
            return 0;
        }
    }

    /** The attached targets changed: every operator here gets the new list. */
    record TargetsChanged(List<TargetInfo> targets) implements ConsoleEvent {
    }

    /** An eval for the targets named. */
    record EvalRequest(String internalId, String code, Set<String> targetIds) implements ConsoleEvent {
    }

    /** For one operator: how many answers its request will get. */
    record Pending(String operatorId, String requestId, int targets) implements ConsoleEvent {
    }

    /** For one operator: one target's answer (or {@code timeout}, {@code detached}). */
    record Answer(String operatorId, String requestId, String targetId, String value, String error)
            implements ConsoleEvent {
    }

    /** For every hub: a target was listed (attached, or back after its node was unreachable). */
    record TargetCame(String targetId) implements ConsoleEvent {
    }

    /** For every hub: a target was unlisted (detached, or its node died): whoever waits for it gets "detached". */
    record TargetWent(String targetId) implements ConsoleEvent {
    }

    /** For the hub whose request it answers: a target's answer to an eval it was sent. */
    record Reply(String internalId, String targetId, String value, String error) implements ConsoleEvent {
    }

    /** A connection as the hub sees it. */
    public interface Peer {
        void send(String json);
    }

    public record TargetInfo(String id, String label, String agent, long since) {
    }

    private record Request(String internalId, String operatorId, String operatorRequestId, Set<String> waitingFor,
                           ScheduledFuture<?>[] timeout) {
    }

    /** A target attached here: its id, and the evals it was sent and has not answered yet. */
    private static final class LocalTarget {
        final String id;
        private final Set<String> open = new LinkedHashSet<>();

        LocalTarget(String id) {
            this.id = id;
        }

        synchronized void sent(String internalId) {
            open.add(internalId);
            if (open.size() > MAX_OPEN_EVALS) {
                open.remove(open.iterator().next());
            }
        }

        synchronized boolean answers(String internalId) {
            return open.remove(internalId);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] TOKEN = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final MessageBus bus;
    private final FanOut fanOut;
    private final ScheduledExecutorService timers;
    private final Duration evalTimeout;
    private final LongSupplier clock;
    private final ConsoleTargets directory;
    /** Tells this hub's request ids from other nodes' hubs'. */
    private final String hubId = token();
    private final Map<Peer, LocalTarget> localTargets = new HashMap<>();
    private final Map<Peer, String> operators = new HashMap<>();
    private final Map<Peer, FanOut.Attachment> attachments = new HashMap<>();
    private final Map<String, Request> requests = new LinkedHashMap<>();
    private final FanOut.Attachment hubs;
    private long nextRequest;

    /** A hub on its own: targets of this process only. */
    public ConsoleHub(MessageBus bus, FanOut fanOut, ScheduledExecutorService timers, Duration evalTimeout,
                      LongSupplier clock) {
        this(bus, fanOut, timers, evalTimeout, clock, ConsoleTargets.local());
    }

    /** @param directory who is listed: this process's targets, or the cluster's */
    public ConsoleHub(MessageBus bus, FanOut fanOut, ScheduledExecutorService timers, Duration evalTimeout,
                      LongSupplier clock, ConsoleTargets directory) {
        this.bus = bus;
        this.fanOut = fanOut;
        this.timers = timers;
        this.evalTimeout = evalTimeout;
        this.clock = clock;
        this.directory = directory;
        this.hubs = fanOut.attach(HUBS, delivery -> fromHubs(delivery.event().event()));
        hubs.start();
        // targets of a node that died (or stopped renewing them) leave as if they had detached
        directory.onLapse(id -> bus.publish(HUBS, new TargetWent(id)), id -> bus.publish(HUBS, new TargetCame(id)));
    }

    /** A page that may be driven: gets its id; every operator gets the new list. */
    public synchronized String attachTarget(Peer peer, String label, String agent) {
        long since = clock.getAsLong();
        LocalTarget target;
        FanOut.Attachment attachment;
        while (true) {
            TargetInfo info = new TargetInfo(token(), label, agent, since);
            target = new LocalTarget(info.id());
            // hearing evals before being listed: an eval to "every target" never misses a listed one
            attachment = attachToEvals(peer, target);
            if (directory.add(info)) {
                break;
            }
            attachment.close(); // the id is taken (on another node): another one
        }
        localTargets.put(peer, target);
        attachments.put(peer, attachment);
        peer.send(ConsoleCodec.attached(target.id));
        attachment.start();
        bus.publish(HUBS, new TargetCame(target.id));
        return target.id;
    }

    private FanOut.Attachment attachToEvals(Peer peer, LocalTarget target) {
        return fanOut.attach(TARGETS, delivery -> {
            if (delivery.event().event() instanceof EvalRequest eval && eval.targetIds().contains(target.id)) {
                target.sent(eval.internalId());
                peer.send(delivery.encoded(TARGETS, ConsoleHub::evalJson)); // one encoding for every target
            }
        });
    }

    /** An operator (already allowed by the caller): gets its id and the current list. */
    public synchronized String attachOperator(Peer peer) {
        String id = "op-" + token();
        operators.put(peer, id);
        FanOut.Attachment attachment = fanOut.attach(OPERATORS, delivery -> {
            ChannelEvent event = delivery.event().event();
            if (event instanceof TargetsChanged changed) {
                peer.send(delivery.encoded(OPERATORS, e -> ConsoleCodec.targets(changed.targets())));
            } else if (event instanceof Pending pending && pending.operatorId().equals(id)) {
                peer.send(ConsoleCodec.pending(pending.requestId(), pending.targets()));
            } else if (event instanceof Answer answer && answer.operatorId().equals(id)) {
                peer.send(ConsoleCodec.result(answer.requestId(), answer.targetId(), answer.value(), answer.error()));
            }
        });
        attachments.put(peer, attachment);
        peer.send(ConsoleCodec.attached(id));
        peer.send(ConsoleCodec.targets(directory.list()));
        attachment.start(); // list changes after this one follow
        return id;
    }

    public synchronized void eval(Peer operator, String requestId, String code, List<String> to) throws ConsoleException {
        String operatorId = operators.get(operator);
        if (operatorId == null) {
            throw new ConsoleException(ErrorCode.FORBIDDEN, "only operators evaluate");
        }
        Set<String> listed = new LinkedHashSet<>();
        directory.list().forEach(t -> listed.add(t.id()));
        Set<String> chosen = to == null ? listed : new LinkedHashSet<>(to);
        for (String id : chosen) {
            if (!listed.contains(id)) {
                throw new ConsoleException(ErrorCode.NO_SUCH_TARGET, "no attached target '" + id + "'");
            }
        }
        bus.publish(OPERATORS, new Pending(operatorId, requestId, chosen.size()));
        if (chosen.isEmpty()) {
            return;
        }
        String internalId = "e" + (++nextRequest) + "." + hubId;
        ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        Request request = new Request(internalId, operatorId, requestId, chosen, timeout);
        requests.put(internalId, request);
        bus.publish(TARGETS, new EvalRequest(internalId, code, Set.copyOf(chosen)));
        timeout[0] = timers.schedule(() -> expire(internalId), evalTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A target's answer to one of the evals it was sent, for the hub that asked (here or on another
     * node); anything else — an id it was not sent, a second answer — is dropped here.
     */
    public synchronized void result(Peer target, String internalId, String value, String error) {
        LocalTarget local = localTargets.get(target);
        if (local == null || !local.answers(internalId)) {
            return;
        }
        bus.publish(HUBS, new Reply(internalId, local.id, value, error));
    }

    /** A connection went away: a target's pending answers become "detached"; an operator's requests are dropped. */
    public synchronized void detach(Peer peer) {
        FanOut.Attachment attachment = attachments.remove(peer);
        if (attachment != null) {
            attachment.close();
        }
        LocalTarget target = localTargets.remove(peer);
        if (target != null) {
            directory.remove(target.id);
            bus.publish(HUBS, new TargetWent(target.id)); // after its answers, on the same channel
        }
        String operatorId = operators.remove(peer);
        if (operatorId != null) {
            for (Request request : new ArrayList<>(requests.values())) {
                if (request.operatorId().equals(operatorId)) {
                    cancel(request);
                }
            }
        }
    }

    /** Every listed target, on every node. */
    public synchronized List<TargetInfo> targets() {
        return List.copyOf(directory.list());
    }

    /** What a hub (this one or another node's) said. */
    private synchronized void fromHubs(ChannelEvent event) {
        if (event instanceof Reply reply) {
            Request request = requests.get(reply.internalId());
            if (request != null && request.waitingFor().remove(reply.targetId())) {
                answer(request, reply.targetId(), reply.value(), reply.error());
                finishIfDone(request);
            }
        } else if (event instanceof TargetWent went) {
            for (Request request : new ArrayList<>(requests.values())) {
                if (request.waitingFor().remove(went.targetId())) {
                    answer(request, went.targetId(), null, "detached");
                    finishIfDone(request);
                }
            }
            publishTargets();
        } else if (event instanceof TargetCame) {
            publishTargets();
        }
    }

    private synchronized void expire(String internalId) {
        Request request = requests.get(internalId);
        if (request == null) {
            return;
        }
        for (String targetId : request.waitingFor()) {
            answer(request, targetId, null, "timeout");
        }
        request.waitingFor().clear();
        requests.remove(internalId);
    }

    private void finishIfDone(Request request) {
        if (request.waitingFor().isEmpty()) {
            cancel(request);
        }
    }

    private void cancel(Request request) {
        requests.remove(request.internalId());
        if (request.timeout()[0] != null) {
            request.timeout()[0].cancel(false);
        }
    }

    private void answer(Request request, String targetId, String value, String error) {
        bus.publish(OPERATORS, new Answer(request.operatorId(), request.operatorRequestId(), targetId, value, error));
    }

    /** The list as the directory has it now: after any number of changes on any node, the last one read is current. */
    private void publishTargets() {
        bus.publish(OPERATORS, new TargetsChanged(directory.list()));
    }

    private static String evalJson(Sequenced sequenced) {
        EvalRequest eval = (EvalRequest) sequenced.event();
        return ConsoleCodec.eval(eval.internalId(), eval.code());
    }

    private static String token() {
        char[] token = new char[8];
        for (int i = 0; i < token.length; i++) {
            token[i] = TOKEN[RANDOM.nextInt(TOKEN.length)];
        }
        return new String(token);
    }

    /** Stops hearing the other hubs and lets go of the directory (its listeners on the grid). */
    @Override
    public void close() {
        hubs.close();
        directory.close();
    }
}
