package dev.switchboard.xmpp;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.chat.ChatCodec;
import dev.switchboard.chat.ChatRooms;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.SecurityPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The XMPP server of this node: which streams are bound to which addresses (for routing 1:1
 * messages and IQs), who is available (the presence channel, {@code xmpp:presence}, on the bus:
 * each change is published under one lock, so every session sees the same order, and encoded once
 * for all of them), the roster, and the rooms (the chat rooms, through {@link MucOccupant}).
 * One sweep pings quiet sessions (XEP-0199) and ends silent ones. In a cluster the resources of
 * the other nodes are in the {@link XmppDirectory}: routing and the roster ask it too, the
 * presence channel crosses nodes ({@link #PRESENCE_CODEC}), and an account's first resource in the
 * cluster brings one roster push on every node.
 */
public final class XmppService {

    /** The presence channel on the bus. */
    public static final String PRESENCE_CHANNEL = "xmpp:presence";
    /** How a presence crosses to the other nodes of a cluster (the grid holds only bytes). */
    public static final EventCodec PRESENCE_CODEC = new EventCodec() {
        @Override
        public Encoded encode(ChannelEvent event) {
            XmppPresence p = (XmppPresence) event;
            return new Encoded(new EventBytes.Writer().string(p.from().toString()).flag(p.available()).string(p.show())
                    .string(p.status()).number(p.priority()).bytes(), null);
        }

        @Override
        public ChannelEvent decode(byte[] head, byte[] body) {
            EventBytes.Reader in = new EventBytes.Reader(head);
            Jid from = Jid.parse(in.string());
            if (from == null) {
                throw new IllegalArgumentException("not an address");
            }
            return new XmppPresence(from, in.flag(), in.string(), in.string(), (int) in.number());
        }
    };
    private static final String PRESENCE_FORMAT = "xmpp-presence";
    private static final Function<Sequenced, AddressedStanza> PRESENCE_STANZA =
            s -> AddressedStanza.of(((XmppPresence) s.event()).stanza());

    /**
     * @param domain            {@code xmpp.domain}
     * @param keepaliveInterval a session quiet this long is pinged
     * @param idleTimeout       a session quiet this long is ended ({@code connection-timeout})
     * @param loginTimeout      a stream not bound within this long is ended (it holds a connection)
     */
    public record Settings(String domain, Duration keepaliveInterval, Duration idleTimeout, Duration loginTimeout) {
    }

    private final Settings settings;
    private final Jid domain;
    private final Jid mucDomain;
    private final SecurityPolicy security;
    private final ChatRooms rooms;
    private final ChatCodec chatCodec;
    private final MessageBus bus;
    private final FanOut fanOut;
    private final Supplier<FloodGuard> floods;
    private final XmppDirectory directory;
    private final LongSupplier nanoTime;
    private final Set<XmppSession> streams = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<Jid, CopyOnWriteArrayList<XmppSession>> boundByBareJid = new ConcurrentHashMap<>();
    /** Every available resource's current presence; changed only under {@link #presenceLock}. */
    private final Map<Jid, XmppPresence> available = new LinkedHashMap<>();
    private final Object presenceLock = new Object();
    private final ScheduledFuture<?> sweep;

    public XmppService(Settings settings, SecurityPolicy security, ChatRooms rooms, ChatCodec chatCodec,
                       MessageBus bus, FanOut fanOut, Supplier<FloodGuard> floods, ScheduledExecutorService timers,
                       LongSupplier nanoTime) {
        this(settings, security, rooms, chatCodec, bus, fanOut, floods, timers, nanoTime, XmppDirectory.SINGLE_NODE);
    }

    /** @param directory the other nodes' resources ({@link XmppDirectory#SINGLE_NODE} with {@code cluster=off}) */
    public XmppService(Settings settings, SecurityPolicy security, ChatRooms rooms, ChatCodec chatCodec,
                       MessageBus bus, FanOut fanOut, Supplier<FloodGuard> floods, ScheduledExecutorService timers,
                       LongSupplier nanoTime, XmppDirectory directory) {
        this.settings = settings;
        this.domain = Jid.of(null, settings.domain(), null);
        this.mucDomain = Jid.of(null, "conference." + settings.domain(), null);
        this.security = security;
        this.rooms = rooms;
        this.chatCodec = chatCodec;
        this.bus = bus;
        this.fanOut = fanOut;
        this.floods = floods;
        this.nanoTime = nanoTime;
        this.directory = directory;
        directory.listen(this::deliveredFromElsewhere, this::departedElsewhere, this::cameOnlineElsewhere);
        long every = Math.max(250, Math.min(5_000, settings.keepaliveInterval().toMillis() / 4));
        this.sweep = timers.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** A new stream on a connection: what the connection hands what it reads. */
    public XmppStreamHandler stream(XmppTransport transport) {
        XmppSession session = new XmppSession(this, transport, floods.get(), nanoTime);
        streams.add(session);
        return session;
    }

    /** Streams open now (bound or not). */
    public int streams() {
        return streams.size();
    }

    /** Resources bound now. */
    public int boundResources() {
        return boundByBareJid.values().stream().mapToInt(List::size).sum();
    }

    public void close() {
        sweep.cancel(false);
        for (XmppSession session : streams) {
            session.shutdown();
        }
        directory.close();
    }

    Settings settings() {
        return settings;
    }

    Jid domain() {
        return domain;
    }

    Jid mucDomain() {
        return mucDomain;
    }

    SecurityPolicy security() {
        return security;
    }

    ChatRooms rooms() {
        return rooms;
    }

    ChatCodec chatCodec() {
        return chatCodec;
    }

    void ended(XmppSession session) {
        streams.remove(session);
    }

    // ---- binding and routing ----------------------------------------------------------------------

    /**
     * Binds a resource: the one asked for if free, otherwise (RFC 6120 §7.7.2.2, "assign a
     * different resource") the same with a suffix; none asked for gets a random one.
     */
    Jid bind(XmppSession session, Jid bare, String resource, Supplier<String> randomResource) {
        CopyOnWriteArrayList<XmppSession> sessions = boundByBareJid.computeIfAbsent(bare, b -> new CopyOnWriteArrayList<>());
        synchronized (sessions) {
            String wanted = resource == null ? randomResource.get() : resource;
            Jid full = bare.withResource(wanted);
            // unique in the whole cluster: a resource bound on another node is taken too
            XmppDirectory.Claim claim = null;
            while (find(sessions, full) != null || (claim = directory.claim(full)) == XmppDirectory.Claim.TAKEN) {
                full = bare.withResource(wanted + "-" + randomResource.get());
            }
            sessions.add(session);
            // the account's first resource anywhere: one roster push per account, on every node
            boolean first = sessions.size() == 1 && claim == XmppDirectory.Claim.NONE_ELSEWHERE;
            session.boundAs(full);
            if (first && !security.isOn()) {
                pushRosterItem(bare); // with security off, who is known is who has come online
                directory.cameOnline(bare);
            }
            return full;
        }
    }

    void unbind(XmppSession session, Jid full) {
        CopyOnWriteArrayList<XmppSession> sessions = boundByBareJid.get(full.bare());
        if (sessions != null) {
            synchronized (sessions) {
                if (sessions.remove(session)) {
                    directory.release(full);
                }
                if (sessions.isEmpty()) {
                    boundByBareJid.remove(full.bare(), sessions);
                }
            }
        }
    }

    private static XmppSession find(List<XmppSession> sessions, Jid full) {
        for (XmppSession s : sessions) {
            if (full.equals(s.jid())) {
                return s;
            }
        }
        return null;
    }

    /** The session bound to exactly this full JID, or null. */
    XmppSession session(Jid full) {
        List<XmppSession> sessions = boundByBareJid.get(full.bare());
        return sessions == null ? null : find(sessions, full);
    }

    /** Where a stanza goes: sessions of this node, and resources of other nodes (by node). */
    record Route(List<XmppSession> here, Map<String, List<Jid>> elsewhere) {
        static final Route NOWHERE = new Route(List.of(), Map.of());

        boolean isEmpty() {
            return here.isEmpty() && elsewhere.isEmpty();
        }
    }

    /**
     * Where a message to this address goes (RFC 6121 §8.5): to a full JID, that resource if bound
     * (on any node); otherwise (or to a bare JID) every available resource of the account with a
     * priority of 0 or more, on every node. Empty when the user has none: the sender gets
     * {@code service-unavailable}.
     */
    Route messageRoute(Jid to) {
        if (!to.isBare()) {
            Route exact = exactly(to);
            if (!exact.isEmpty()) {
                return exact;
            }
        }
        List<XmppSession> sessions = boundByBareJid.get(to.bare());
        List<XmppSession> here = new ArrayList<>(sessions == null ? 0 : sessions.size());
        if (sessions != null) {
            for (XmppSession s : sessions) {
                if (s.isAvailable() && s.priority() >= 0) {
                    here.add(s);
                }
            }
        }
        Map<String, List<Jid>> elsewhere = new LinkedHashMap<>();
        for (XmppDirectory.Resource r : directory.resourcesElsewhere(to.bare())) {
            if (r.takesBareMessages()) {
                elsewhere.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r.jid());
            }
        }
        return new Route(here, elsewhere.isEmpty() ? Map.of() : elsewhere);
    }

    /** The resource bound to exactly this full JID, here or on another node, or nowhere. */
    Route exactly(Jid full) {
        XmppSession here = session(full);
        if (here != null) {
            return new Route(List.of(here), Map.of());
        }
        XmppDirectory.Resource there = directory.resourceElsewhere(full);
        return there == null ? Route.NOWHERE : new Route(List.of(), Map.of(there.node(), List.of(there.jid())));
    }

    /** Sends one serialisation of a stanza along a route, each recipient with its own {@code to}. */
    void send(Route route, AddressedStanza stanza) {
        for (XmppSession recipient : route.here()) {
            recipient.sendAddressed(stanza);
        }
        route.elsewhere().forEach((node, recipients) -> directory.deliver(node, recipients, stanza));
    }

    /** A stanza another node routed to a session of this one (gone meanwhile: dropped, as a stanza racing an end is). */
    private void deliveredFromElsewhere(Jid full, AddressedStanza stanza) {
        XmppSession recipient = session(full);
        if (recipient != null) {
            recipient.sendAddressed(stanza);
        }
    }

    boolean isLocalUser(Jid jid) {
        return jid.local() != null && jid.domain().equals(domain.domain());
    }

    /** Whether this address is a user the server knows (security on: a configured user; off: anyone online). */
    boolean isKnownUser(Jid bare) {
        if (!isLocalUser(bare)) {
            return false;
        }
        if (security.isOn()) {
            return security.userNames().stream().anyMatch(n -> localOf(n).equals(bare.local()));
        }
        return boundByBareJid.containsKey(bare.bare()) || !directory.resourcesElsewhere(bare.bare()).isEmpty();
    }

    /** RFC 6121 §2: every other user the server knows, each {@code subscription="both"}. */
    List<Jid> rosterOf(Jid bare) {
        Set<Jid> contacts = new LinkedHashSet<>();
        if (security.isOn()) {
            for (String name : security.userNames()) {
                String local = localOf(name);
                if (!local.isEmpty()) {
                    contacts.add(new Jid(local, domain.domain(), null));
                }
            }
        } else {
            contacts.addAll(boundByBareJid.keySet());
            contacts.addAll(directory.accountsElsewhere());
        }
        contacts.remove(bare.bare());
        return contacts.stream().sorted(java.util.Comparator.comparing(Jid::toString)).toList();
    }

    /** A user name as a JID's local part, or "" when it cannot be one. */
    static String localOf(String userName) {
        try {
            return Jid.local(userName);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** An account came online on another node (its first resource in the cluster): the roster push here. */
    private void cameOnlineElsewhere(Jid bare) {
        if (!security.isOn()) { // with security on the roster is the configured users: it never changes
            pushRosterItem(bare.bare());
        }
    }

    /** RFC 6121 §2.1.6: a roster push of a newly known user to every session (of this node) that asked for its roster. */
    private void pushRosterItem(Jid newcomer) {
        for (List<XmppSession> sessions : boundByBareJid.values()) {
            for (XmppSession s : sessions) {
                if (s.wantsRosterPushes() && !newcomer.equals(s.jid().bare())) {
                    s.rosterPush(newcomer);
                }
            }
        }
    }

    // ---- presence -------------------------------------------------------------------------------------

    /**
     * A session's broadcast presence (RFC 6121 §4.2, §4.4): the first one attaches it to the presence
     * channel and hands it everyone's current presence; each is published to every available session,
     * the sender's own included (§4.2.2). Returns the attachment for a first presence (the caller
     * sends the snapshot, then starts it), null otherwise.
     */
    FanOut.Attachment announce(XmppSession session, XmppPresence presence, FanOut.Attachment attached,
                               List<XmppPresence> snapshot) {
        synchronized (presenceLock) {
            FanOut.Attachment attachment = null;
            if (attached == null) {
                attachment = fanOut.attach(PRESENCE_CHANNEL, delivery ->
                        session.sendAddressed(delivery.encoded(PRESENCE_FORMAT, PRESENCE_STANZA)));
                for (XmppPresence other : available.values()) {
                    if (!other.from().equals(presence.from())) {
                        snapshot.add(other);
                    }
                }
                // attached first, read after: another node's change is in this list or comes on the channel
                snapshot.addAll(directory.availableElsewhere());
            }
            available.put(presence.from(), presence);
            directory.announce(presence);
            bus.publish(PRESENCE_CHANNEL, presence);
            return attachment;
        }
    }

    /** A session becomes unavailable (its unavailable presence, or its end): everyone is told. */
    void withdraw(FanOut.Attachment attachment, Jid full, String status) {
        synchronized (presenceLock) {
            attachment.close();
            if (available.remove(full) != null) {
                XmppPresence gone = XmppPresence.unavailable(full, status);
                directory.announce(gone);
                bus.publish(PRESENCE_CHANNEL, gone);
            }
        }
    }

    /** A resource of a node that died without saying so: everyone, on every node, is told it is unavailable. */
    private void departedElsewhere(Jid full) {
        synchronized (presenceLock) {
            bus.publish(PRESENCE_CHANNEL, XmppPresence.unavailable(full, null));
        }
    }

    /** The current presences of an account's available resources (a probe's answer, RFC 6121 §4.3). */
    List<XmppPresence> presenceOf(Jid bare) {
        synchronized (presenceLock) {
            List<XmppPresence> found = new ArrayList<>();
            for (XmppPresence p : available.values()) {
                if (p.from().bare().equals(bare)) {
                    found.add(p);
                }
            }
            for (XmppDirectory.Resource r : directory.resourcesElsewhere(bare)) {
                if (r.presence() != null && r.presence().available()) {
                    found.add(r.presence());
                }
            }
            return found;
        }
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        for (XmppSession session : streams) {
            session.tick(now);
        }
    }
}
