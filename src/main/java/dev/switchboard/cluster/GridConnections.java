package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.topic.ITopic;
import dev.switchboard.admin.ConnectionInfo;
import dev.switchboard.admin.LocalConnections;
import dev.switchboard.admin.OtherNodes;
import dev.switchboard.bus.EventBytes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code admin/connections} across the cluster, by request and answer: each node has a grid topic
 * of its own ({@code switchboard.admin.to.NODE}, bytes only) on which the others ask it — how many
 * connections match, a page of them, close this one — and on which it gets their answers.
 *
 * <p>Asked, not published: no node writes its connections into the grid ahead of time, so nothing
 * is spent while nobody looks (a per-node map refreshed every few seconds would rewrite 50,000
 * entries' worth of JSON on every refresh, for a page nobody may have open), and a listing is the
 * connections as they are now, not as of the last refresh — a closed connection is gone from the
 * next poll. A page costs one round of counts and then one slice per node it covers; at most
 * {@code limit} connections cross the grid for it. A node that has not answered within the wait
 * is named in the listing as missing instead of holding it up.
 */
public final class GridConnections implements OtherNodes {

    private static final Logger LOG = Logger.getLogger(GridConnections.class.getName());
    static final String TOPIC_PREFIX = "switchboard.admin.to.";

    private static final int COUNT = 1;
    private static final int SLICE = 2;
    private static final int CLOSE = 3;
    private static final int ANSWER = 4;

    private final HazelcastInstance grid;
    private final Executor pool;
    private final ConcurrentMap<Long, CompletableFuture<EventBytes.Reader>> calls = new ConcurrentHashMap<>();
    private final AtomicLong nextCall = new AtomicLong();
    private final UUID lifecycle;
    private volatile String node;
    private volatile ITopic<byte[]> inbox;
    private volatile UUID inboxRegistration;
    private volatile LocalConnections local;
    /** Between Hazelcast's MERGING and MERGED (or MERGE_FAILED): this node is rejoining, not in the grid. */
    private volatile boolean merging;

    public GridConnections(Grid grid, Executor pool) {
        this.grid = grid.instance();
        this.pool = pool;
        this.node = grid.nodeId();
        listen();
        this.lifecycle = this.grid.getLifecycleService().addLifecycleListener(event -> {
            LifecycleEvent.LifecycleState state = event.getState();
            if (state == LifecycleEvent.LifecycleState.MERGING) {
                merging = true;
            } else if (state == LifecycleEvent.LifecycleState.MERGED || state == LifecycleEvent.LifecycleState.MERGE_FAILED) {
                merging = false;
                if (state == LifecycleEvent.LifecycleState.MERGED) {
                    rejoined();
                }
            }
        });
    }

    private void listen() {
        inbox = grid.getTopic(TOPIC_PREFIX + node);
        inboxRegistration = inbox.addMessageListener(message -> received(message.getMessageObject()));
    }

    /** Back in the grid after a split, with a new member id: asked on that id's topic from now on. */
    private synchronized void rejoined() {
        try {
            inbox.removeMessageListener(inboxRegistration);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "old admin topic gone", e);
        }
        node = grid.getCluster().getLocalMember().getUuid().toString();
        listen();
    }

    /** This node's id now (it changes when the node comes back after a split). */
    public String node() {
        return node;
    }

    @Override
    public void serve(LocalConnections local) {
        this.local = local;
    }

    @Override
    public boolean inGrid() {
        return grid.getLifecycleService().isRunning() && !merging;
    }

    private List<String> otherNodes() {
        List<String> others = new ArrayList<>();
        try {
            for (Member member : grid.getCluster().getMembers()) {
                if (!member.localMember()) {
                    others.add(member.getUuid().toString());
                }
            }
        } catch (HazelcastInstanceNotActiveException stopping) {
            return List.of();
        }
        return others;
    }

    private interface Body {
        void write(EventBytes.Writer out);
    }

    /** Asks {@code to}; the answer's reader (positioned after its call id), or a failed future. */
    private CompletableFuture<EventBytes.Reader> ask(String to, int kind, Body body, Duration wait) {
        long id = nextCall.incrementAndGet();
        CompletableFuture<EventBytes.Reader> answer = new CompletableFuture<>();
        calls.put(id, answer);
        EventBytes.Writer out = new EventBytes.Writer().kind(kind).number(id).string(node);
        body.write(out);
        if (!publish(to, out.bytes())) {
            answer.completeExceptionally(new IllegalStateException("grid not running"));
        }
        return answer.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> calls.remove(id));
    }

    private boolean publish(String to, byte[] bytes) {
        try {
            grid.<byte[]>getTopic(TOPIC_PREFIX + to).publish(bytes);
            return true;
        } catch (HazelcastInstanceNotActiveException e) {
            return false;
        }
    }

    private static EventBytes.Reader await(CompletableFuture<EventBytes.Reader> answer) {
        try {
            return answer.join();
        } catch (RuntimeException noAnswer) {
            return null;
        }
    }

    @Override
    public List<Count> count(String filter, Duration wait) {
        Map<String, CompletableFuture<EventBytes.Reader>> asked = new LinkedHashMap<>();
        for (String other : otherNodes()) {
            asked.put(other, ask(other, COUNT, out -> out.string(filter), wait));
        }
        List<Count> counts = new ArrayList<>();
        asked.forEach((other, answer) -> {
            EventBytes.Reader reader = await(answer);
            counts.add(new Count(other, reader == null ? -1 : (int) reader.number()));
        });
        return counts;
    }

    @Override
    public List<ConnectionInfo> slice(String to, String filter, int offset, int limit, Duration wait) {
        EventBytes.Reader reader = await(ask(to, SLICE, out -> out.string(filter).number(offset).number(limit), wait));
        if (reader == null) {
            return null;
        }
        int n = (int) reader.number();
        List<ConnectionInfo> slice = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slice.add(ConnectionInfo.fromJson(reader.string()));
        }
        return slice;
    }

    @Override
    public boolean close(String id, String by, Duration wait) {
        List<CompletableFuture<EventBytes.Reader>> asked = new ArrayList<>();
        for (String other : otherNodes()) {
            asked.add(ask(other, CLOSE, out -> out.string(id).string(by), wait));
        }
        boolean closed = false;
        for (CompletableFuture<EventBytes.Reader> answer : asked) {
            EventBytes.Reader reader = await(answer);
            closed |= reader != null && reader.number() == 1;
        }
        return closed;
    }

    private void received(byte[] bytes) {
        EventBytes.Reader in = new EventBytes.Reader(bytes);
        int kind = in.kind();
        long id = in.number();
        String from = in.string();
        if (kind == ANSWER) {
            CompletableFuture<EventBytes.Reader> call = calls.remove(id);
            if (call != null) {
                call.complete(in);
            }
            return;
        }
        try {
            pool.execute(() -> answer(kind, id, from, in)); // a listing walks every connection: not on the grid's thread
        } catch (RejectedExecutionException stopping) {
            // this node is stopping: the asker counts it as not answering
        }
    }

    private void answer(int kind, long id, String from, EventBytes.Reader in) {
        LocalConnections here = local;
        if (here == null) {
            return;
        }
        EventBytes.Writer out = new EventBytes.Writer().kind(ANSWER).number(id).string(node);
        switch (kind) {
            case COUNT -> out.number(here.count(LocalConnections.normalise(in.string())));
            case SLICE -> {
                String filter = LocalConnections.normalise(in.string());
                int offset = (int) in.number();
                int limit = (int) in.number();
                List<ConnectionInfo> slice = here.slice(filter, offset, limit);
                out.number(slice.size());
                slice.forEach(c -> out.string(c.toJson().toString()));
            }
            case CLOSE -> {
                String connection = in.string();
                String by = in.string();
                out.number(here.close(connection, by) ? 1 : 0);
            }
            default -> {
                return;
            }
        }
        publish(from, out.bytes());
    }

    @Override
    public void close() {
        try {
            inbox.removeMessageListener(inboxRegistration);
            grid.getLifecycleService().removeLifecycleListener(lifecycle);
        } catch (RuntimeException stopping) {
            LOG.log(Level.FINE, "grid already stopped", stopping);
        }
        calls.values().forEach(call -> call.completeExceptionally(new IllegalStateException("stopping")));
    }
}
