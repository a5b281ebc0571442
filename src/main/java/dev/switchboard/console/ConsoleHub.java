package dev.switchboard.console;

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
 */
public final class ConsoleHub {

    /** A connection as the hub sees it. */
    public interface Peer {
        void send(String json);
    }

    public record TargetInfo(String id, String label, String agent, long since) {
    }

    private record Request(String internalId, Peer operator, String operatorRequestId, Set<String> waitingFor,
                           ScheduledFuture<?>[] timeout) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] TOKEN = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private final ScheduledExecutorService timers;
    private final Duration evalTimeout;
    private final LongSupplier clock;
    private final Map<String, TargetInfo> targets = new LinkedHashMap<>();
    private final Map<Peer, String> targetIds = new HashMap<>();
    private final Map<String, Peer> targetPeers = new HashMap<>();
    private final Set<Peer> operators = new LinkedHashSet<>();
    private final Map<String, Request> requests = new HashMap<>();
    private long nextRequest;

    public ConsoleHub(ScheduledExecutorService timers, Duration evalTimeout, LongSupplier clock) {
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
        targetPeers.put(id, peer);
        peer.send(ConsoleCodec.attached(id));
        broadcastTargets();
        return id;
    }

    /** An operator (already allowed by the caller): gets its id and the current list. */
    public synchronized String attachOperator(Peer peer) {
        operators.add(peer);
        String id = "op-" + token();
        peer.send(ConsoleCodec.attached(id));
        peer.send(ConsoleCodec.targets(List.copyOf(targets.values())));
        return id;
    }

    public synchronized void eval(Peer operator, String requestId, String code, List<String> to) throws ConsoleException {
        if (!operators.contains(operator)) {
            throw new ConsoleException(ErrorCode.FORBIDDEN, "only operators evaluate");
        }
        Set<String> chosen = new LinkedHashSet<>(to == null ? targets.keySet() : to);
        for (String id : chosen) {
            if (!targets.containsKey(id)) {
                throw new ConsoleException(ErrorCode.NO_SUCH_TARGET, "no attached target '" + id + "'");
            }
        }
        operator.send(ConsoleCodec.pending(requestId, chosen.size()));
        if (chosen.isEmpty()) {
            return;
        }
        String internalId = "e" + (++nextRequest);
        ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
        Request request = new Request(internalId, operator, requestId, chosen, timeout);
        requests.put(internalId, request);
        String message = ConsoleCodec.eval(internalId, code);
        for (String id : chosen) {
            targetPeers.get(id).send(message);
        }
        timeout[0] = timers.schedule(() -> expire(internalId), evalTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A target's answer to one of the evals it was sent; anything else is ignored. */
    public synchronized void result(Peer target, String internalId, String value, String error) {
        String targetId = targetIds.get(target);
        Request request = requests.get(internalId);
        if (targetId == null || request == null || !request.waitingFor().remove(targetId)) {
            return;
        }
        request.operator().send(ConsoleCodec.result(request.operatorRequestId(), targetId, value, error));
        finishIfDone(request);
    }

    /** A connection went away: a target's pending answers become "detached"; an operator's requests are dropped. */
    public synchronized void detach(Peer peer) {
        String targetId = targetIds.remove(peer);
        if (targetId != null) {
            targets.remove(targetId);
            targetPeers.remove(targetId);
            for (Request request : new ArrayList<>(requests.values())) {
                if (request.waitingFor().remove(targetId)) {
                    request.operator().send(ConsoleCodec.result(request.operatorRequestId(), targetId, null, "detached"));
                    finishIfDone(request);
                }
            }
            broadcastTargets();
        }
        if (operators.remove(peer)) {
            for (Request request : new ArrayList<>(requests.values())) {
                if (request.operator() == peer) {
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
            request.operator().send(ConsoleCodec.result(request.operatorRequestId(), targetId, null, "timeout"));
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

    private void broadcastTargets() {
        String list = ConsoleCodec.targets(List.copyOf(targets.values()));
        operators.forEach(operator -> operator.send(list));
    }

    private static String token() {
        char[] token = new char[8];
        for (int i = 0; i < token.length; i++) {
            token[i] = TOKEN[RANDOM.nextInt(TOKEN.length)];
        }
        return new String(token);
    }
}
