package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.query.Predicates;
import com.hazelcast.topic.ITopic;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.xmpp.AddressedStanza;
import dev.switchboard.xmpp.Jid;
import dev.switchboard.xmpp.XmppDirectory;
import dev.switchboard.xmpp.XmppPresence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * XMPP's bound resources across the cluster: one grid map, {@code RESOURCE@LOCAL@DOMAIN} → the
 * node holding the session and its presence (strings only). {@code putIfAbsent} makes a full JID
 * unique cluster-wide; the key's {@code @LOCAL@DOMAIN} puts an account's resources on one
 * partition, so routing to a bare JID is one partition's read. Stanzas for another node's
 * sessions go on that node's grid topic ({@code switchboard.xmpp.to.NODE}), which only it reads.
 * The entries carry no expiry of their own: each node renews one lease, its entry in
 * {@code switchboard.xmpp.nodes} (a plain map, where a TTL holds — on a map with a partitioning
 * strategy Hazelcast 5.3's {@code setTtl} finds no entry, and {@code replace} drops the TTL). When a
 * node dies the oldest surviving member removes its resources as soon as the grid drops it; when
 * its lease expires (paused, cut off) the lease's owner does; either way its available resources
 * are announced unavailable, once. A node whose resources were removed while it lived puts them
 * back at its next renewal.
 */
public final class GridXmppDirectory implements XmppDirectory {

    private static final Logger LOG = Logger.getLogger(GridXmppDirectory.class.getName());

    static final String RESOURCES = "switchboard.xmpp.resources";
    static final String NODES = "switchboard.xmpp.nodes";
    static final String TOPIC_PREFIX = "switchboard.xmpp.to.";
    static final Duration LEASE = GridRoster.LEASE;
    private static final Duration RENEW_EVERY = Duration.ofSeconds(4);

    /** An entry's value: the node, then {@code bound} (no presence yet), {@code available} or {@code unavailable}. */
    private record Held(String node, String state, int priority, String show, String status) {
        static Held bound(String node) {
            return new Held(node, "bound", 0, null, null);
        }

        static Held of(String node, XmppPresence p) {
            return new Held(node, p.available() ? "available" : "unavailable", p.priority(), p.show(), p.status());
        }

        String encode() {
            return node + "\n" + state + "\n" + priority + "\n" + (show == null ? "" : show) + "\n"
                    + (status == null ? "" : status);
        }

        static Held decode(String value) {
            String[] parts = value.split("\n", 5);
            return new Held(parts[0], parts[1], Integer.parseInt(parts[2]), parts[3].isEmpty() ? null : parts[3],
                    parts[4].isEmpty() ? null : parts[4]);
        }

        boolean available() {
            return state.equals("available");
        }

        XmppPresence presence(Jid jid) {
            return switch (state) {
                case "available" -> new XmppPresence(jid, true, show, status, priority);
                case "unavailable" -> XmppPresence.unavailable(jid, status);
                default -> null;
            };
        }
    }

    private final HazelcastInstance grid;
    private final IMap<String, String> resources;
    private final IMap<String, String> leases;
    private final String node;
    private final Executor pool;
    /** This node's entries as it wrote them: what it renews, and removes only if still its own. */
    private final ConcurrentMap<String, String> mine = new ConcurrentHashMap<>();
    private final ITopic<byte[]> inbox;
    private final UUID inboxRegistration;
    private final UUID membership;
    private final UUID expiry;
    private final ScheduledFuture<?> renewal;
    private volatile BiConsumer<Jid, AddressedStanza> delivered = (jid, stanza) -> { };
    private volatile Consumer<Jid> departed = jid -> { };

    public GridXmppDirectory(Grid grid, Executor pool, ScheduledExecutorService timers) {
        this.grid = grid.instance();
        this.grid.getConfig().addMapConfig(new MapConfig(RESOURCES).setBackupCount(1).setPartitioningStrategyConfig(
                new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())));
        this.resources = this.grid.getMap(RESOURCES);
        this.leases = this.grid.getMap(NODES);
        this.node = grid.nodeId();
        leases.put(node, Long.toString(System.currentTimeMillis()), LEASE.toMillis(), TimeUnit.MILLISECONDS);
        this.pool = pool;
        this.inbox = this.grid.getTopic(TOPIC_PREFIX + node);
        this.inboxRegistration = inbox.addMessageListener(message -> received(message.getMessageObject()));
        this.membership = this.grid.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                pool.execute(() -> removeNode(event.getMember().getUuid().toString()));
            }
        });
        // fired on the lease's owner only: one node removes the resources of a node that stopped renewing
        this.expiry = leases.addLocalEntryListener((EntryExpiredListener<String, String>) event -> {
            if (!event.getKey().equals(node)) {
                pool.execute(() -> removeResourcesOf(event.getKey(), "stopped renewing its lease"));
            }
        });
        this.renewal = timers.scheduleWithFixedDelay(this::renew, RENEW_EVERY.toMillis(), RENEW_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** {@code RESOURCE@LOCAL@DOMAIN}, {@code @} and {@code %} escaped in the resource so the first {@code @} ends it. */
    static String key(Jid full) {
        return full.resource().replace("%", "%25").replace("@", "%40") + "@" + full.bare();
    }

    private static Jid jidOf(String key) {
        int at = key.indexOf('@');
        Jid bare = Jid.parse(key.substring(at + 1));
        return bare == null ? null : bare.withResource(key.substring(0, at).replace("%40", "@").replace("%25", "%"));
    }

    private static String accountOf(String key) {
        return key.substring(key.indexOf('@') + 1);
    }

    @Override
    public boolean claim(Jid full) {
        String key = key(full);
        String value = Held.bound(node).encode();
        if (resources.putIfAbsent(key, value) != null) {
            return false;
        }
        mine.put(key, value);
        return true;
    }

    @Override
    public void release(Jid full) {
        String key = key(full);
        String value = mine.remove(key);
        if (value != null) {
            resources.remove(key, value); // only if still this node's
        }
    }

    @Override
    public void announce(XmppPresence presence) {
        String key = key(presence.from());
        String was = mine.get(key);
        if (was == null) {
            return;
        }
        String value = Held.of(node, presence).encode();
        if (resources.replace(key, was, value)) {
            mine.put(key, value);
        } else if (resources.putIfAbsent(key, value) == null) {
            mine.put(key, value); // removed while this node was unreachable: taken back
        } else {
            mine.remove(key, was);
            LOG.warning("Cluster: " + presence.from() + " was taken while this node was unreachable");
        }
    }

    @Override
    public List<XmppPresence> availableElsewhere() {
        List<XmppPresence> found = new ArrayList<>();
        for (Map.Entry<String, String> entry : resources.entrySet()) {
            Held held = Held.decode(entry.getValue());
            Jid jid;
            if (held.available() && !held.node().equals(node) && (jid = jidOf(entry.getKey())) != null) {
                found.add(held.presence(jid));
            }
        }
        return found;
    }

    @Override
    public List<Resource> resourcesElsewhere(Jid bare) {
        String account = bare.bare().toString();
        List<Resource> found = new ArrayList<>();
        for (Map.Entry<String, String> entry : resources.entrySet(
                // a key-shaped partition key: the map's strategy takes what follows its first @
                Predicates.partitionPredicate("@" + account, Predicates.alwaysTrue()))) {
            if (accountOf(entry.getKey()).equals(account)) {
                Resource resource = resource(entry.getKey(), entry.getValue());
                if (resource != null) {
                    found.add(resource);
                }
            }
        }
        return found;
    }

    @Override
    public Resource resourceElsewhere(Jid full) {
        String key = key(full);
        String value = resources.get(key);
        return value == null ? null : resource(key, value);
    }

    private Resource resource(String key, String value) {
        Held held = Held.decode(value);
        Jid jid = jidOf(key);
        if (held.node().equals(node) || jid == null) {
            return null;
        }
        return new Resource(jid, held.node(), held.presence(jid));
    }

    @Override
    public List<Jid> accountsElsewhere() {
        Set<Jid> accounts = new LinkedHashSet<>();
        for (Map.Entry<String, String> entry : resources.entrySet()) {
            if (!entry.getValue().startsWith(node + "\n")) {
                Jid jid = jidOf(entry.getKey());
                if (jid != null) {
                    accounts.add(jid.bare());
                }
            }
        }
        return List.copyOf(accounts);
    }

    @Override
    public void deliver(String toNode, List<Jid> recipients, AddressedStanza stanza) {
        EventBytes.Writer out = new EventBytes.Writer().number(recipients.size());
        for (Jid recipient : recipients) {
            out.string(recipient.toString());
        }
        byte[] message = out.string(stanza.head()).string(stanza.tail()).bytes();
        try {
            grid.<byte[]>getTopic(TOPIC_PREFIX + toNode).publish(message);
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping: its sessions are ending too
        }
    }

    private void received(byte[] message) {
        try {
            EventBytes.Reader in = new EventBytes.Reader(message);
            long count = in.number();
            List<Jid> recipients = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                Jid jid = Jid.parse(in.string());
                if (jid != null) {
                    recipients.add(jid);
                }
            }
            AddressedStanza stanza = new AddressedStanza(in.string(), in.string());
            for (Jid recipient : recipients) {
                delivered.accept(recipient, stanza);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: a stanza from another node is not delivered here", e);
        }
    }

    @Override
    public void listen(BiConsumer<Jid, AddressedStanza> delivered, Consumer<Jid> departed) {
        this.delivered = delivered;
        this.departed = departed;
    }

    /** A node left the grid: the oldest surviving member removes its resources, once, and everyone hears it. */
    private void removeNode(String gone) {
        try {
            Member oldest = grid.getCluster().getMembers().iterator().next();
            if (oldest.localMember()) {
                leases.delete(gone);
                removeResourcesOf(gone, "left the grid");
                grid.getTopic(TOPIC_PREFIX + gone).destroy();
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        }
    }

    private void removeResourcesOf(String gone, String why) {
        try {
            int removed = 0;
            for (Map.Entry<String, String> entry : resources.entrySet()) {
                if (entry.getValue().startsWith(gone + "\n") && resources.remove(entry.getKey(), entry.getValue())) {
                    announceGone(entry.getKey(), entry.getValue());
                    removed++;
                }
            }
            if (removed > 0) {
                LOG.info("Cluster: node " + gone + " " + why + "; its " + removed + " XMPP resource(s) are unavailable");
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping too
        }
    }

    private void announceGone(String key, String value) {
        try {
            Jid jid = jidOf(key);
            if (jid != null && Held.decode(value).available()) {
                departed.accept(jid);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: could not announce that " + key + " went", e);
        }
    }

    /** Renews this node's lease; its resources removed meanwhile (it was unreachable) are put back if still free. */
    private void renew() {
        try {
            leases.put(node, Long.toString(System.currentTimeMillis()), LEASE.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, String> held = resources.getAll(mine.keySet());
            for (Map.Entry<String, String> entry : mine.entrySet()) {
                String now = held.get(entry.getKey());
                if (now == null && resources.putIfAbsent(entry.getKey(), entry.getValue()) == null) {
                    continue; // taken back
                }
                if (now != null && !now.equals(entry.getValue()) && !now.startsWith(node + "\n")) {
                    LOG.warning("Cluster: " + entry.getKey() + " was taken while this node was unreachable");
                    mine.remove(entry.getKey(), entry.getValue());
                }
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cluster: renewing the XMPP lease failed; retrying", e);
        }
    }

    @Override
    public void close() {
        renewal.cancel(false);
        try {
            inbox.removeMessageListener(inboxRegistration);
            grid.getCluster().removeMembershipListener(membership);
            leases.removeEntryListener(expiry);
            mine.forEach(resources::remove);
            leases.delete(node);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        mine.clear();
    }
}
