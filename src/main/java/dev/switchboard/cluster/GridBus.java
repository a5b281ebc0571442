package dev.switchboard.cluster;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import com.hazelcast.ringbuffer.StaleSequenceException;
import com.hazelcast.topic.ITopic;
import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.LogRead;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.bus.Position;
import dev.switchboard.bus.Retention;
import dev.switchboard.bus.SerialExecutor;
import dev.switchboard.bus.Sequenced;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bus on the data grid ({@code cluster=on}): every node of the cluster sees one order per
 * channel. A channel's retained events (room messages, images, topic messages) are its log — a
 * Hazelcast ringbuffer, so the offset is the ringbuffer's sequence + 1 and one order holds whoever
 * publishes — with its epoch in a map entry on the same partition (lost together, so a lost log
 * means a new epoch, never wrong offsets). Each node reads each channel it has receivers for once
 * and fans out locally as before. Unretained events (presence, typing, private messages) go on
 * the channel's topic, each tagged with the offset its publisher had seen, and are handed on after
 * that offset: after every message their sender had seen, never before. An event's large part (an
 * image's bytes) sits in a bounded, evicting map beside the log. Channels without a codec (the
 * ticker, the console) stay on this node, on a {@link LocalBus}.
 */
public final class GridBus implements MessageBus {

    private static final Logger LOG = Logger.getLogger(GridBus.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    static final String LOG_PREFIX = "switchboard.log.";
    static final String SIDE_PREFIX = "switchboard.side.";
    static final String EPOCHS = "switchboard.epochs";
    static final String BODIES = "switchboard.bodies";
    /** Channels some node has receivers for (or had, within their linger): what a publish may create. */
    static final String ACTIVE = "switchboard.channels";
    /** At most this many log items per read (Hazelcast's own cap is 1,000). */
    private static final int READ_BATCH = 256;
    /** Unretained events waiting for their offset, per channel; past it they go at once (order hint only). */
    private static final int MAX_WAITING = 10_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** A kind of channel that crosses nodes: its name prefix ({@code chat:}) and its events' codec. */
    public record Kind(String prefix, EventCodec codec) {
    }

    private record Waiting(long afterOffset, ChannelEvent event) {
    }

    private final class Channel {
        final String name;
        final Kind kind;
        final Retention retention;
        /** Items per read: at most the log's capacity (Hazelcast refuses more). */
        final int batch;
        final String epochKey;
        final Ringbuffer<byte[]> ring;
        final ITopic<byte[]> side;
        final SerialExecutor lane = new SerialExecutor(pool);
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        UUID sideRegistration;
        String epoch;
        /** The offset of the latest retained event handed on here (or before this node started reading). */
        long offset;
        /** The latest offset this node published: unretained events after it are tagged with it. */
        long published;
        long seq;
        /** Bumped when the log is lost: reads started before that are for the old log and are ignored. */
        int generation;
        /** The grid partition the log and its epoch live on. */
        final int partition;
        Consumer<Sequenced> listener;
        long lastActiveNanos = nanoTime.getAsLong();
        /** When this node last told the grid the channel has receivers here; MIN_VALUE: never. */
        long markedNanos = Long.MIN_VALUE;
        boolean forgotten;

        Channel(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
            this.retention = retentions.apply(kind.prefix());
            this.batch = Math.min(READ_BATCH, capacity(retention));
            // "NAME@KEY": the log and its epoch are on the partition of KEY, so they are lost together
            this.epochKey = name + "@" + name;
            this.ring = grid.getRingbuffer(LOG_PREFIX + epochKey);
            this.side = grid.getTopic(SIDE_PREFIX + name);
            this.partition = grid.getPartitionService()
                    .getPartition(StringPartitioningStrategy.getPartitionKey(LOG_PREFIX + epochKey)).getPartitionId();
            this.epoch = epochOf(epochKey, null);
            long tail = ring.tailSequence();
            this.offset = tail + 1;
        }

        void open() {
            sideRegistration = side.addMessageListener(message -> onSide(this, message.getMessageObject()));
            read(this, offset, 0);
        }
    }

    private final HazelcastInstance grid;
    private final LocalBus local;
    private final List<Kind> kinds;
    private final Function<String, Retention> retentions;
    private final Executor pool;
    private final ScheduledExecutorService timers;
    private final LongSupplier nanoTime;
    private final IMap<String, String> epochs;
    private final IMap<String, byte[]> bodies;
    private final IMap<String, String> active;
    private final MessageIds bodyIds = new MessageIds();
    private final ConcurrentMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final AtomicLong lost = new AtomicLong();
    private final ScheduledFuture<?> sweep;
    private final UUID partitionLost;
    private final UUID merges;
    private final UUID epochChanges;
    private volatile boolean closed;

    /**
     * @param kinds      the channels that cross nodes, by prefix
     * @param retentions each kind's retention, asked with its prefix: {@code maxEvents} sizes its log,
     *                   {@code ttl} ages it, {@code linger} is how long this node keeps reading a channel it no longer uses
     * @param bodyBytes  how many bytes of large parts (images) the grid keeps per member before evicting the least used
     * @param bodyTtl    how long it keeps one
     */
    public GridBus(Grid grid, List<Kind> kinds, Function<String, Retention> retentions, long bodyBytes, Duration bodyTtl,
                   LocalBus local, Executor pool, ScheduledExecutorService timers, long sweepEveryMillis,
                   LongSupplier nanoTime) {
        this.grid = grid.instance();
        this.kinds = List.copyOf(kinds);
        this.retentions = retentions;
        this.local = local;
        this.pool = pool;
        this.timers = timers;
        this.nanoTime = nanoTime;
        configure(bodyBytes, bodyTtl);
        this.epochs = this.grid.getMap(EPOCHS);
        this.bodies = this.grid.getMap(BODIES);
        this.active = this.grid.getMap(ACTIVE);
        this.sweep = timers.scheduleWithFixedDelay(this::sweep, sweepEveryMillis, sweepEveryMillis, TimeUnit.MILLISECONDS);
        // a log whose owner and backup both die comes back empty, at sequence 0: never under its old epoch
        this.partitionLost = this.grid.getPartitionService().addPartitionLostListener(event -> {
            if (event.getLostBackupCount() >= 1) {
                partitionLost(event.getPartitionId());
            }
        });
        // after a split both sides numbered their logs on under one epoch; the grid kept one side's
        this.merges = this.grid.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                pool.execute(this::merged);
            }
        });
        this.epochChanges = epochs.addEntryListener((EntryUpdatedListener<String, String>) event ->
                pool.execute(() -> epochChanged(event.getKey(), event.getOldValue(), event.getValue())), true);
    }

    /**
     * Each kind's log size and age, the epochs' partitioning and the bodies' bounds — added to the
     * running grid's configuration (in Payara the server's own), the same on every node.
     */
    private void configure(long bodyBytes, Duration bodyTtl) {
        com.hazelcast.config.Config config = grid.getConfig();
        for (Kind kind : kinds) {
            Retention retention = retentions.apply(kind.prefix());
            config.addRingBufferConfig(new RingbufferConfig(LOG_PREFIX + kind.prefix() + "*")
                    .setCapacity(capacity(retention))
                    .setTimeToLiveSeconds((int) Math.min(Integer.MAX_VALUE, Math.max(1, retention.ttl().toSeconds())))
                    .setBackupCount(1));
        }
        config.addMapConfig(new MapConfig(EPOCHS).setBackupCount(1).setPartitioningStrategyConfig(
                new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())));
        config.addMapConfig(new MapConfig(BODIES).setBackupCount(1)
                .setTimeToLiveSeconds((int) Math.min(Integer.MAX_VALUE, Math.max(1, bodyTtl.toSeconds())))
                .setEvictionConfig(new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.USED_HEAP_SIZE)
                        .setSize((int) Math.max(1, bodyBytes >> 20))));
    }

    private static int capacity(Retention retention) {
        return Math.max(1, retention.maxEvents());
    }

    private Kind kindOf(String channel) {
        for (Kind kind : kinds) {
            if (channel.startsWith(kind.prefix())) {
                return kind;
            }
        }
        return null;
    }

    private Channel channel(String name, Kind kind) {
        while (true) {
            Channel[] made = new Channel[1];
            Channel channel = channels.computeIfAbsent(name, n -> made[0] = new Channel(n, kind));
            if (made[0] == channel) {
                channel.open();
            }
            synchronized (channel) {
                if (!channel.forgotten) {
                    channel.lastActiveNanos = nanoTime.getAsLong();
                    return channel;
                }
            }
        }
    }

    /** The channel's epoch: the one in the grid, or a new one put there (when {@code lost} is the one that was). */
    private String epochOf(String key, String lost) {
        String fresh = Long.toString(RANDOM.nextLong() >>> 1, 36);
        String epoch = epochs.putIfAbsent(key, fresh);
        if (epoch == null) {
            return fresh;
        }
        if (epoch.equals(lost)) { // the log went but its entry stayed: replace it, once for all nodes
            epochs.replace(key, lost, fresh);
            return epochs.get(key);
        }
        return epoch;
    }

    @Override
    public Sequenced publish(String name, ChannelEvent event) {
        Kind kind = kindOf(name);
        if (kind == null) {
            return local.publish(name, event);
        }
        if (!channels.containsKey(name) && !active.containsKey(name)) {
            // nobody attached anywhere within the channel's linger: nobody to receive or recover it, as on
            // one node — and a SEND to any number of made-up topics makes nothing in the grid
            return null;
        }
        Channel channel = channel(name, kind);
        EventCodec.Encoded encoded = kind.codec().encode(event);
        String bodyKey = null;
        if (encoded.body() != null) {
            bodyKey = bodyIds.next();
            bodies.set(bodyKey, encoded.body());
        }
        if (event.retained()) {
            long sequence = channel.ring.add(new EventBytes.Writer().string(bodyKey).blob(encoded.head()).bytes());
            String epoch;
            synchronized (channel) {
                channel.published = Math.max(channel.published, sequence + 1);
                epoch = channel.epoch;
            }
            return new Sequenced(name, epoch, sequence + 1, -1, event);
        }
        String epoch;
        long after;
        synchronized (channel) {
            epoch = channel.epoch;
            after = Math.max(channel.offset, channel.published);
        }
        channel.side.publish(new EventBytes.Writer().string(epoch).number(after).string(bodyKey)
                .blob(encoded.head()).bytes());
        return new Sequenced(name, epoch, after, -1, event);
    }

    @Override
    public Subscription subscribe(String name, Consumer<Sequenced> listener) {
        Kind kind = kindOf(name);
        if (kind == null) {
            return local.subscribe(name, listener);
        }
        Channel channel = channel(name, kind);
        synchronized (channel) {
            if (channel.listener != null) {
                throw new IllegalStateException("channel " + name + " has a listener on this node already");
            }
            channel.listener = listener;
        }
        markActive(channel);
        return () -> {
            synchronized (channel) {
                if (channel.listener == listener) {
                    channel.listener = null;
                    channel.lastActiveNanos = nanoTime.getAsLong();
                }
            }
        };
    }

    /**
     * Tells the grid the channel has receivers here, for its linger and a little more; renewed by
     * the sweep at half that, so a publish on any node finds it.
     */
    private void markActive(Channel channel) {
        long now = nanoTime.getAsLong();
        long ttl = activeTtl(channel).toNanos();
        synchronized (channel) {
            if (channel.markedNanos != Long.MIN_VALUE && now - channel.markedNanos < ttl / 2) {
                return;
            }
            channel.markedNanos = now;
        }
        active.set(channel.name, "", ttl, TimeUnit.NANOSECONDS);
    }

    private static Duration activeTtl(Channel channel) {
        Duration linger = channel.retention.linger();
        return (linger.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : linger).plusSeconds(10);
    }

    @Override
    public Position position(String name) {
        Kind kind = kindOf(name);
        if (kind == null) {
            return local.position(name);
        }
        Channel channel = channel(name, kind);
        synchronized (channel) {
            return new Position(channel.epoch, channel.offset, channel.seq);
        }
    }

    @Override
    public LogRead read(String name, String epoch, long afterOffset, long upToOffset) {
        Kind kind = kindOf(name);
        if (kind == null) {
            return local.read(name, epoch, afterOffset, upToOffset);
        }
        Channel channel = channel(name, kind);
        String current;
        synchronized (channel) {
            current = channel.epoch;
        }
        if (epoch == null || !epoch.equals(current) || afterOffset < 0 || afterOffset > upToOffset) {
            return LogRead.gone();
        }
        // offset N is sequence N - 1: the events after afterOffset start at sequence afterOffset
        long head = channel.ring.headSequence();
        List<Sequenced> events = readLog(channel, current, Math.max(afterOffset, head), upToOffset);
        return new LogRead(head <= afterOffset && events.size() == upToOffset - afterOffset, events);
    }

    @Override
    public List<Sequenced> tail(String name, int count, long upToOffset) {
        Kind kind = kindOf(name);
        if (kind == null) {
            return local.tail(name, count, upToOffset);
        }
        if (count <= 0) {
            return List.of();
        }
        Channel channel = channel(name, kind);
        String epoch;
        synchronized (channel) {
            epoch = channel.epoch;
        }
        long upTo = Math.min(upToOffset, channel.ring.tailSequence() + 1);
        long from = Math.max(channel.ring.headSequence(), upTo - count);
        return readLog(channel, epoch, from, upTo);
    }

    /** Log items from {@code fromSequence} up to offset {@code upToOffset}, decoded; what no longer decodes is left out. */
    private List<Sequenced> readLog(Channel channel, String epoch, long fromSequence, long upToOffset) {
        List<Sequenced> events = new ArrayList<>();
        long next = fromSequence;
        try {
            while (next < upToOffset) {
                int want = (int) Math.min(channel.batch, upToOffset - next);
                ReadResultSet<byte[]> read = channel.ring.readManyAsync(next, 0, want, null).toCompletableFuture()
                        .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (read.size() == 0) {
                    break;
                }
                for (int i = 0; i < read.size() && read.getSequence(i) < upToOffset; i++) {
                    ChannelEvent event = decodeLogItem(channel, read.get(i));
                    if (event != null) {
                        events.add(new Sequenced(channel.name, epoch, read.getSequence(i) + 1, -1, event));
                    }
                }
                next = read.getNextSequenceToReadFrom();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof StaleSequenceException)) {
                throw new IllegalStateException("the channel's log cannot be read: " + e.getCause(), e.getCause());
            }
            // aged out meanwhile: what was read is what is held
        } catch (TimeoutException e) {
            throw new IllegalStateException("the channel's log did not answer within " + READ_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted reading the channel's log");
        }
        return events;
    }

    private ChannelEvent decodeLogItem(Channel channel, byte[] item) {
        EventBytes.Reader in = new EventBytes.Reader(item);
        String bodyKey = in.string();
        byte[] head = in.blob();
        return decode(channel, head, bodyKey);
    }

    private ChannelEvent decode(Channel channel, byte[] head, String bodyKey) {
        try {
            return channel.kind.codec().decode(head, bodyKey == null ? null : bodies.get(bodyKey));
        } catch (RuntimeException e) {
            lost.incrementAndGet();
            LOG.log(Level.WARNING, "Cluster: an event of " + channel.name + " is not delivered here: " + e.getMessage());
            return null;
        }
    }

    /** Reads the log from {@code sequence} on, as items arrive, and hands each to this node's listener in order. */
    private void read(Channel channel, long sequence, int generation) {
        if (closed) {
            return;
        }
        try {
            channel.ring.readManyAsync(sequence, 1, channel.batch, null)
                    .whenCompleteAsync((read, failure) -> onRead(channel, generation, sequence, read, failure), pool);
        } catch (RuntimeException e) { // some refusals come at once, not through the future
            pool.execute(() -> onRead(channel, generation, sequence, null, e));
        }
    }

    private void onRead(Channel channel, int generation, long sequence, ReadResultSet<byte[]> read, Throwable failure) {
        synchronized (channel) {
            if (channel.forgotten || closed || channel.generation != generation) {
                return; // forgotten, or a read of a log lost since
            }
        }
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof StaleSequenceException stale) {
                // this node fell a whole log behind: what aged out meanwhile is lost here, not elsewhere
                lost.addAndGet(stale.getHeadSeq() - sequence);
                LOG.warning("Cluster: " + (stale.getHeadSeq() - sequence) + " event(s) of " + channel.name
                        + " aged out of its log before this node read them");
                read(channel, stale.getHeadSeq(), generation);
            } else if (cause instanceof IllegalArgumentException) {
                // "sequence too large": the log restarted at 0 — its owner and backup both went
                renewEpoch(channel, generation);
            } else if (!(cause instanceof HazelcastInstanceNotActiveException)) {
                LOG.log(Level.WARNING, "Cluster: reading " + channel.name + " failed; retrying", cause);
                timers.schedule(() -> read(channel, sequence, generation), 1, TimeUnit.SECONDS);
            }
            return;
        }
        for (int i = 0; i < read.size(); i++) {
            ChannelEvent event = decodeLogItem(channel, read.get(i));
            long offset = read.getSequence(i) + 1;
            synchronized (channel) {
                if (channel.generation != generation) {
                    return;
                }
                if (event != null) {
                    handOn(channel, offset, event);
                }
                channel.offset = Math.max(channel.offset, offset);
                while (!channel.waiting.isEmpty() && channel.waiting.peekFirst().afterOffset() <= channel.offset) {
                    handOn(channel, channel.offset, channel.waiting.removeFirst().event());
                }
            }
        }
        read(channel, read.getNextSequenceToReadFrom(), generation);
    }

    /** An unretained event from any node: on after the offset its publisher had seen. */
    private void onSide(Channel channel, byte[] message) {
        EventBytes.Reader in = new EventBytes.Reader(message);
        String epoch = in.string();
        long after = in.number();
        String bodyKey = in.string();
        ChannelEvent event = decode(channel, in.blob(), bodyKey);
        if (event == null) {
            return;
        }
        synchronized (channel) {
            if (channel.forgotten) {
                return;
            }
            if (!epoch.equals(channel.epoch) || after <= channel.offset || channel.waiting.size() >= MAX_WAITING) {
                handOn(channel, channel.offset, event);
            } else {
                channel.waiting.addLast(new Waiting(after, event));
            }
        }
    }

    /** Under the channel's lock: numbered for this node and queued on its lane, so the lane's order is the channel's. */
    private void handOn(Channel channel, long offset, ChannelEvent event) {
        channel.seq++;
        Consumer<Sequenced> listener = channel.listener;
        if (listener != null) {
            Sequenced sequenced = new Sequenced(channel.name, channel.epoch, offset, channel.seq, event);
            channel.lane.execute(() -> listener.accept(sequenced));
        }
    }

    /**
     * The log was lost (its partition's owner and backup both went, with the epoch entry beside it):
     * a new epoch, the same on every node, numbered from the new log's start; reads of the old log
     * are dropped. Once per loss: a caller that saw an older generation finds it done.
     */
    private void renewEpoch(Channel channel, int seenGeneration) {
        String was;
        int generation;
        synchronized (channel) {
            if (channel.generation != seenGeneration) {
                return;
            }
            was = channel.epoch;
            generation = ++channel.generation;
        }
        String epoch = epochOf(channel.epochKey, was);
        long head = channel.ring.headSequence(); // everything in the log now came after the loss
        synchronized (channel) {
            channel.epoch = epoch;
            channel.offset = head;
            channel.published = 0;
            while (!channel.waiting.isEmpty()) {
                handOn(channel, channel.offset, channel.waiting.removeFirst().event());
            }
        }
        LOG.warning("Cluster: the log of " + channel.name + " was lost with its grid members; new epoch " + epoch);
        read(channel, head, generation);
    }

    /**
     * This member merged back into the grid after a split (it was paused past the heartbeat limit,
     * or cut off). Both sides went on numbering each channel's log under the epoch they shared, and
     * the grid kept the other side's log: the offsets this side handed out after the split may
     * name other messages there. So each channel this node has gets a new epoch, for every node —
     * a {@code since} with the old one is {@code recovered:false} anywhere, never wrong messages —
     * and this node reads on from the kept log's end. (A channel the other side made meanwhile
     * has its epoch already: this node takes it.)
     */
    private void merged() {
        for (Channel channel : channels.values()) {
            String was;
            int generation;
            synchronized (channel) {
                was = channel.epoch;
                generation = ++channel.generation; // reads of this side's log are dropped
            }
            try {
                String epoch = epochOf(channel.epochKey, was);
                long next = channel.ring.tailSequence() + 1;
                synchronized (channel) {
                    channel.epoch = epoch;
                    channel.offset = next;
                    channel.published = 0;
                    while (!channel.waiting.isEmpty()) {
                        handOn(channel, channel.offset, channel.waiting.removeFirst().event());
                    }
                }
                LOG.warning("Cluster: merged back into the grid; " + channel.name + " goes on from offset " + next
                        + " in the new epoch " + epoch);
                read(channel, next, generation);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Cluster: " + channel.name + " could not start a new epoch after a merge", e);
            }
        }
    }

    /**
     * Another node gave a channel a new epoch after a merge: its log here is the one kept, so the
     * offsets go on, under the new epoch, and the notices waiting for an offset go now. (A log that restarted — lost — is left to renewEpoch,
     * which finds the new epoch in the grid.)
     */
    private void epochChanged(String key, String was, String now) {
        Channel channel = channels.get(key.substring(0, (key.length() - 1) / 2)); // "NAME@NAME"
        if (channel == null || was == null) {
            return;
        }
        synchronized (channel) {
            if (!was.equals(channel.epoch)) {
                return; // this node changed it, or had it already
            }
        }
        try {
            if (channel.ring.tailSequence() + 1 < channel.offset) {
                return; // the log restarted: lost, not merged
            }
        } catch (RuntimeException e) {
            return;
        }
        synchronized (channel) {
            if (was.equals(channel.epoch)) {
                channel.epoch = now;
                // notices tagged with an offset of the split may wait for one this log never reaches
                while (!channel.waiting.isEmpty()) {
                    handOn(channel, channel.offset, channel.waiting.removeFirst().event());
                }
                LOG.info("Cluster: " + channel.name + " has a new epoch " + now + " after a merge");
            }
        }
    }

    /** A grid partition lost every copy: each channel whose log was on it starts a new epoch. */
    void partitionLost(int partition) {
        for (Channel channel : channels.values()) {
            if (channel.partition == partition) {
                int generation;
                synchronized (channel) {
                    generation = channel.generation;
                }
                pool.execute(() -> renewEpoch(channel, generation));
            }
        }
    }

    @Override
    public int pending(String name) {
        Channel channel = channels.get(name);
        return channel == null ? local.pending(name) : channel.lane.pending();
    }

    @Override
    public int channelCount() {
        return channels.size() + local.channelCount();
    }

    @Override
    public long pendingDeliveries() {
        long pending = local.pendingDeliveries();
        for (Channel channel : channels.values()) {
            pending += channel.lane.pending();
        }
        return pending;
    }

    /** Events this node could not hand on (aged out before it read them, or their large part evicted). */
    public long lostEvents() {
        return lost.get();
    }

    /** Stops reading each channel this node has had no listener for during its linger. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        for (Channel channel : channels.values()) {
            boolean forget;
            synchronized (channel) {
                forget = channel.listener == null && now - channel.lastActiveNanos >= channel.retention.linger().toNanos();
                if (forget) {
                    channel.forgotten = true;
                    channel.waiting.clear();
                    channels.remove(channel.name, channel);
                }
            }
            if (forget && channel.sideRegistration != null) {
                channel.side.removeMessageListener(channel.sideRegistration);
            } else if (!forget && channel.listener != null) {
                markActive(channel);
            }
        }
        local.sweep();
    }

    @Override
    public void close() {
        closed = true;
        sweep.cancel(false);
        try {
            grid.getPartitionService().removePartitionLostListener(partitionLost);
            grid.getLifecycleService().removeLifecycleListener(merges);
            epochs.removeEntryListener(epochChanges);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        for (Channel channel : channels.values()) {
            if (channel.sideRegistration != null) {
                try {
                    channel.side.removeMessageListener(channel.sideRegistration);
                } catch (HazelcastInstanceNotActiveException e) {
                    // the grid went first
                }
            }
        }
        channels.clear();
        local.close();
    }
}
