package dev.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.strategy.StringPartitioningStrategy;
import com.hazelcast.query.Predicates;
import com.hazelcast.topic.ITopic;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.xmpp.AddressedStanza;
import dev.switchboard.xmpp.Jid;
import dev.switchboard.xmpp.XmppDirectory;
import dev.switchboard.xmpp.XmppPresence;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * XMPP's resources across the cluster: one grid map, {@code RESOURCE@ACCOUNT} → the resource's
 * state and presence, each entry a lease of the node holding its stream ({@link GridLeases}); an
 * account's resources are on one partition, so routing to a bare JID is one partition's read, and
 * {@code putIfAbsent} makes a full JID unique in the cluster. Claims of one account take a grid
 * lock on that partition ({@code @ACCOUNT}, never a resource's key), so whether the account is
 * bound elsewhere is decided one claim at a time: its first resource in the cluster is known to
 * exactly one node. A stanza for a resource on another node goes on that node's grid topic, which
 * only it reads; so does the word that an account came online (for the roster push). A node that
 * dies or stops renewing loses its resources, and everyone gets their {@code unavailable} presence.
 */
public final class GridXmppDirectory implements XmppDirectory {

    private static final Logger LOG = Logger.getLogger(GridXmppDirectory.class.getName());

    static final String RESOURCES = "switchboard.xmpp.resources";
    static final String TOPIC_PREFIX = "switchboard.xmpp.to.";
    /** What a node's topic carries: a stanza for some of its resources, or an account that came online elsewhere. */
    private static final int STANZA = 0;
    private static final int CAME_ONLINE = 1;
    /** A claim's lock is released by then even if its holder froze (a dead member's locks go at once). */
    private static final long CLAIM_LOCK_SECONDS = 10;

    /** An entry's value: {@code bound} (no presence yet), {@code available} or {@code unavailable}, and the presence. */
    private record Held(String state, int priority, String show, String status) {
        static Held bound() {
            return new Held("bound", 0, null, null);
        }

        static Held of(XmppPresence p) {
            return new Held(p.available() ? "available" : "unavailable", p.priority(), p.show(), p.status());
        }

        String encode() {
            return state + "\n" + priority + "\n" + (show == null ? "" : show) + "\n" + (status == null ? "" : status);
        }

        static Held decode(String value) {
            String[] parts = value.split("\n", 4);
            return new Held(parts[0], Integer.parseInt(parts[1]), parts[2].isEmpty() ? null : parts[2],
                    parts[3].isEmpty() ? null : parts[3]);
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
    private final GridLeases resources;
    /** The map {@code resources} keeps, for the claims' locks (a lock creates no entry). */
    private final IMap<String, String> claims;
    private final String node;
    private final ITopic<byte[]> inbox;
    private volatile UUID inboxRegistration;
    private final UUID lifecycle;
    private volatile BiConsumer<Jid, AddressedStanza> delivered = (jid, stanza) -> { };
    private volatile Consumer<Jid> departed = jid -> { };
    private volatile Consumer<Jid> cameOnline = jid -> { };

    public GridXmppDirectory(Grid grid, Executor pool, ScheduledExecutorService timers) {
        this.grid = grid.instance();
        this.resources = new GridLeases(grid, new MapConfig(RESOURCES).setPartitioningStrategyConfig(
                new PartitioningStrategyConfig(StringPartitioningStrategy.class.getName())), "XMPP resource", pool, timers);
        this.claims = this.grid.getMap(RESOURCES);
        this.node = grid.nodeId();
        this.inbox = this.grid.getTopic(TOPIC_PREFIX + node);
        this.inboxRegistration = inbox.addMessageListener(message -> received(message.getMessageObject()));
        // the others destroyed this node's topic when they dropped it: back after a split, it listens again
        this.lifecycle = this.grid.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                pool.execute(this::listenAgain);
            }
        });
        resources.onChanges(new GridLeases.Changes() {
            @Override
            public void lapsed(String key, String value) {
                announceGone(key, value);
            }

            @Override
            public void nodeGone(String gone, boolean leftGrid) {
                if (leftGrid) { // a node only cut off may come back, and reads its topic again
                    GridXmppDirectory.this.grid.getTopic(TOPIC_PREFIX + gone).destroy();
                }
            }
        });
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
    public Claim claim(Jid full) {
        String lock = "@" + full.bare(); // on the account's partition (the strategy takes what follows the first @)
        claims.lock(lock, CLAIM_LOCK_SECONDS, TimeUnit.SECONDS);
        try {
            boolean elsewhere = !resourcesElsewhere(full.bare()).isEmpty();
            if (!resources.claim(key(full), Held.bound().encode())) {
                return Claim.TAKEN;
            }
            return elsewhere ? Claim.ALSO_ELSEWHERE : Claim.NONE_ELSEWHERE;
        } finally {
            unlock(lock);
        }
    }

    private void unlock(String lock) {
        try {
            claims.unlock(lock);
        } catch (IllegalMonitorStateException e) {
            LOG.warning("Cluster: an XMPP claim outlasted its lock (" + CLAIM_LOCK_SECONDS + " s)");
        }
    }

    @Override
    public void release(Jid full) {
        resources.release(key(full));
    }

    @Override
    public void announce(XmppPresence presence) {
        resources.update(key(presence.from()), Held.of(presence).encode());
    }

    @Override
    public List<XmppPresence> availableElsewhere() {
        List<XmppPresence> found = new ArrayList<>();
        for (GridLeases.Leased entry : resources.entries(Predicates.alwaysTrue())) {
            Held held = Held.decode(entry.value());
            Jid jid;
            if (held.available() && !entry.node().equals(node) && (jid = jidOf(entry.key())) != null) {
                found.add(held.presence(jid));
            }
        }
        return found;
    }

    @Override
    public List<Resource> resourcesElsewhere(Jid bare) {
        String account = bare.bare().toString();
        List<Resource> found = new ArrayList<>();
        // a key-shaped partition key: the map's strategy takes what follows its first @
        for (GridLeases.Leased entry : resources.entries(Predicates.partitionPredicate("@" + account, Predicates.alwaysTrue()))) {
            if (accountOf(entry.key()).equals(account)) {
                Resource resource = resource(entry);
                if (resource != null) {
                    found.add(resource);
                }
            }
        }
        return found;
    }

    @Override
    public Resource resourceElsewhere(Jid full) {
        GridLeases.Leased entry = resources.get(key(full));
        return entry == null ? null : resource(entry);
    }

    private Resource resource(GridLeases.Leased entry) {
        Jid jid = jidOf(entry.key());
        if (entry.node().equals(node) || jid == null) {
            return null;
        }
        return new Resource(jid, entry.node(), Held.decode(entry.value()).presence(jid));
    }

    @Override
    public List<Jid> accountsElsewhere() {
        Set<Jid> accounts = new LinkedHashSet<>();
        for (GridLeases.Leased entry : resources.entries(Predicates.alwaysTrue())) {
            Jid jid;
            if (!entry.node().equals(node) && (jid = jidOf(entry.key())) != null) {
                accounts.add(jid.bare());
            }
        }
        return List.copyOf(accounts);
    }

    @Override
    public void deliver(String toNode, List<Jid> recipients, AddressedStanza stanza) {
        EventBytes.Writer out = new EventBytes.Writer().kind(STANZA).number(recipients.size());
        for (Jid recipient : recipients) {
            out.string(recipient.toString());
        }
        publish(toNode, out.string(stanza.head()).string(stanza.tail()).bytes());
    }

    @Override
    public void cameOnline(Jid bare) {
        byte[] message = new EventBytes.Writer().kind(CAME_ONLINE).string(bare.bare().toString()).bytes();
        try {
            for (Member member : grid.getCluster().getMembers()) {
                if (!member.localMember()) {
                    publish(member.getUuid().toString(), message);
                }
            }
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping
        }
    }

    private void publish(String toNode, byte[] message) {
        try {
            grid.<byte[]>getTopic(TOPIC_PREFIX + toNode).publish(message);
        } catch (HazelcastInstanceNotActiveException e) {
            // this node is stopping: its sessions are ending too
        }
    }

    private void received(byte[] message) {
        try {
            EventBytes.Reader in = new EventBytes.Reader(message);
            if (in.kind() == CAME_ONLINE) {
                Jid bare = Jid.parse(in.string());
                if (bare != null) {
                    cameOnline.accept(bare);
                }
                return;
            }
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
    public void listen(BiConsumer<Jid, AddressedStanza> delivered, Consumer<Jid> departed, Consumer<Jid> cameOnline) {
        this.delivered = delivered;
        this.departed = departed;
        this.cameOnline = cameOnline;
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

    private synchronized void listenAgain() {
        try {
            inbox.removeMessageListener(inboxRegistration);
        } catch (RuntimeException gone) {
            // destroyed with the topic
        }
        inboxRegistration = grid.<byte[]>getTopic(TOPIC_PREFIX + node)
                .addMessageListener(message -> received(message.getMessageObject()));
    }

    @Override
    public void close() {
        try {
            grid.getLifecycleService().removeLifecycleListener(lifecycle);
            grid.<byte[]>getTopic(TOPIC_PREFIX + node).removeMessageListener(inboxRegistration);
        } catch (HazelcastInstanceNotActiveException e) {
            // the grid went first
        }
        resources.close();
    }
}
