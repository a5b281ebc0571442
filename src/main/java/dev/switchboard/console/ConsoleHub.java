package dev.switchboard.console;

import dev.switchboard.bus.ChannelEvent;
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
 * What the hub tells peers goes over two channels — {@code console:operators} (target lists,
 * pending counts, results, each operator taking its own) and {@code console:targets} (evals, each
 * target taking those addressed to it) — published under the hub's lock, fanned out after it.
 */
public final class ConsoleHub {

    static final String OPERATORS = "console:operators";
    static final String TARGETS = "console:targets";

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

    /** The attached targets changed: every operator gets the new list. */
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

    /** A connection as the hub sees it. */
    public interface Peer {
        void send(String json);
    }

    public record TargetInfo(String id, String label, String agent, long since) {
    }

    private record Request(String internalId, String operatorId, String operatorRequestId, Set<String> waitingFor,
                           ScheduledFuture<?>[] timeout) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] TOKEN = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final MessageBus bus;
    private final FanOut fanOut;
    private final ScheduledExecutorService timers;
    private final Duration evalTimeout;
    private final LongSupplier clock;
    private final Map<String, TargetInfo> targets = new LinkedHashMap<>();
    private final Map<Peer, String> targetIds = new HashMap<>();
    private final Map<Peer, String> operators = new HashMap<>();
    private final Map<Peer, FanOut.Attachment> attachments = new HashMap<>();
    private final Map<String, Request> requests = new HashMap<>();
    private long nextRequest;

    public ConsoleHub(MessageBus bus, FanOut fanOut, ScheduledExecutorService timers, Duration evalTimeout,
                      LongSupplier clock) {
        this.bus = bus;
        this.fanOut = fanOut;
        this.timers = timers;
        this.evalTimeout = evalTimeout;
        this.clock = clock;
    }

    /** A page that may be driven: gets its id; every operator gets the new list. */
    public synchronized String attachTarget(Peer peer, String label, String agent) {
        String id = token();
        while (targets.containsKey(id)) {
            id = token();
        }
        targets.put(id, new TargetInfo(id, label, agent, clock.getAsLong()));
        targetIds.put(peer, id);
        String targetId = id;
        FanOut.Attachment attachment = fanOut.attach(TARGETS, delivery -> {
            if (delivery.event().event() instanceof EvalRequest eval && eval.targetIds().contains(targetId)) {
                peer.send(delivery.encoded(TARGETS, ConsoleHub::evalJson)); // one encoding for every target
            }
        });
        attachments.put(peer, attachment);
        peer.send(ConsoleCodec.attached(id));
        attachment.start();
        publishTargets();
        return id;
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
        peer.send(ConsoleCodec.targets(List.copyOf(targets.values())));
        attachment.start(); // list changes after this one follow
        return id;
    }

    public synchronized void eval(Peer operator, String requestId, String code, List<String> to) throws ConsoleException {
        String operatorId = operators.get(operator);
        if (operatorId == null) {
            throw new ConsoleException(ErrorCode.FORBIDDEN, "only operators evaluate");
        }
        Set<String> chosen = new LinkedHashSet<>(to == null ? targets.keySet() : to);
        for (String id : chosen) {
            if (!targets.containsKey(id)) {
                throw new ConsoleException(ErrorCode.NO_SUCH_TARGET, "no attached target '" + id + "'");
            }
        }
        bus.publish(OPERATORS, new Pending(operatorId, requestId, chosen.size()));
        if (chosen.isEmpty()) {
            return;
        }
        String internalId = "e" + (++nextRequest);
        ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        Request request = new Request(internalId, operatorId, requestId, chosen, timeout);
        requests.put(internalId, request);
        bus.publish(TARGETS, new EvalRequest(internalId, code, Set.copyOf(chosen)));
        timeout[0] = timers.schedule(() -> expire(internalId), evalTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A target's answer to one of the evals it was sent; anything else is ignored. */
    public synchronized void result(Peer target, String internalId, String value, String error) {
        String targetId = targetIds.get(target);
        Request request = requests.get(internalId);
        if (targetId == null || request == null || !request.waitingFor().remove(targetId)) {
            return;
        }
        answer(request, targetId, value, error);
        finishIfDone(request);
    }

    /** A connection went away: a target's pending answers become "detached"; an operator's requests are dropped. */
    public synchronized void detach(Peer peer) {
        FanOut.Attachment attachment = attachments.remove(peer);
        if (attachment != null) {
            attachment.close();
        }
        String targetId = targetIds.remove(peer);
        if (targetId != null) {
            targets.remove(targetId);
            for (Request request : new ArrayList<>(requests.values())) {
                if (request.waitingFor().remove(targetId)) {
                    answer(request, targetId, null, "detached");
                    finishIfDone(request);
                }
            }
            publishTargets();
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

    public synchronized List<TargetInfo> targets() {
        return List.copyOf(targets.values());
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

    private void publishTargets() {
        bus.publish(OPERATORS, new TargetsChanged(List.copyOf(targets.values())));
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
}
