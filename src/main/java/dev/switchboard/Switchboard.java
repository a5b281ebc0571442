package dev.switchboard;

import dev.switchboard.admin.ConnectionDirectory;
import dev.switchboard.admin.LocalConnections;
import dev.switchboard.admin.OtherNodes;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.LogBudget;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.cluster.Grid;
import dev.switchboard.cluster.GridBus;
import dev.switchboard.cluster.GridConnections;
import dev.switchboard.cluster.GridConsoleTargets;
import dev.switchboard.cluster.GridLogins;
import dev.switchboard.cluster.GridQueues;
import dev.switchboard.cluster.GridRoster;
import dev.switchboard.cluster.GridXmppDirectory;
import dev.switchboard.chat.Roster;
import dev.switchboard.ops.ClusterStatus;
import dev.switchboard.bus.Retention;
import dev.switchboard.chat.ChatCodec;
import dev.switchboard.chat.ChatEndpoint;
import dev.switchboard.chat.ChatRooms;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.connection.ConnectionLimits;
import dev.switchboard.connection.ConnectionRegistry;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.KeepAlive;
import dev.switchboard.console.ConsoleEndpoint;
import dev.switchboard.console.ConsoleHub;
import dev.switchboard.console.ConsoleTargets;
import dev.switchboard.echo.EchoEndpoint;
import dev.switchboard.images.ImageEndpoint;
import dev.switchboard.images.ImageRooms;
import dev.switchboard.ops.DaemonThreads;
import dev.switchboard.ops.EndpointMetrics;
import dev.switchboard.ops.SwitchboardMetrics;
import dev.switchboard.overhead.PriceTicker;
import dev.switchboard.overhead.TickerEndpoint;
import dev.switchboard.overhead.TickerFeed;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.GuardedConfigurator;
import dev.switchboard.security.HandshakeGuard;
import dev.switchboard.security.OriginPolicy;
import dev.switchboard.security.SecurityPolicy;
import dev.switchboard.security.ServerNames;
import dev.switchboard.security.TrustedProxies;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.store.JournalStore;
import dev.switchboard.broker.store.StoreException;
import dev.switchboard.broker.store.StoreSettings;
import dev.switchboard.ops.DataDirectory;
import dev.switchboard.stomp.StompBroker;
import dev.switchboard.stomp.StompEndpoint;
import dev.switchboard.stomp.StompSettings;
import dev.switchboard.stomp.StompVersion;
import dev.switchboard.transport.deflate.Compression;
import dev.switchboard.vnc.VncEndpoint;
import dev.switchboard.vnc.VncGateway;
import dev.switchboard.transport.WriteBatch;
import dev.switchboard.vnc.VncTargets;
import dev.switchboard.xmpp.StreamErrorCondition;
import dev.switchboard.xmpp.XmppDirectory;
import dev.switchboard.xmpp.XmppEndpoint;
import dev.switchboard.xmpp.XmppFraming;
import dev.switchboard.xmpp.XmppService;
import dev.switchboard.xmpp.XmppWriter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running Switchboard application: its configuration, metrics, open connections and the
 * WebSocket endpoints built on them. The same object runs in an application server and standalone.
 */
public final class Switchboard {

    private static final Logger LOG = Logger.getLogger(Switchboard.class.getName());

    private final SwitchboardConfig config;
    private final SwitchboardMetrics metrics;
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private final SecurityPolicy security;
    private final ServerNames serverNames;
    private final HandshakeGuard guard;
    private final KeepAlive keepAlive;
    /** The application's own threads: fan-out lanes and departures (pool); sweeps, close graces and console timeouts (timers). */
    private final ExecutorService ownPool;
    private final Executor pool;
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-timers"));
    private final LogBudget roomsAndTopicsBudget;
    private final LogBudget imagesBudget;
    /** This node's place in the data grid; null with {@code cluster=off}. */
    private final Grid grid;
    private final MessageBus bus;
    private final FanOut fanOut;
    private final Roster roster;
    private final ChatRooms chatRooms;
    private final ChatCodec chatCodec;
    private final ImageRooms imageRooms;
    private final DataDirectory dataDirectory;
    private final StompBroker stompBroker;
    /** STOMP queues across the cluster's nodes; null with {@code cluster=off}. */
    private final GridQueues gridQueues;
    private final VncGateway vncGateway;
    private final ConsoleHub consoleHub;
    private final TickerFeed tickerFeed;
    private final XmppService xmppService;
    private final Compression compression;
    private volatile boolean shuttingDown;
    /** Set once the server listens and its endpoints are deployed: {@code health/ready} says READY from then on. */
    private volatile boolean started;
    /** admin/connections: the other nodes (none with cluster=off), and every node's connections through them. */
    private final OtherNodes otherNodes;
    private final ConnectionDirectory connectionDirectory;

    public Switchboard(SwitchboardConfig config) {
        this(config, () -> 0, config.maxConnections(), null);
    }

    /** In an application server: {@code managedPool} is its managed executor (null: a pool of our own). */
    public Switchboard(SwitchboardConfig config, Executor managedPool) {
        this(config, () -> 0, config.maxConnections(), managedPool);
    }

    /**
     * @param unfinishedConnections connections still sending their first request (the standalone
     *                              listener's), counted with the open WebSockets against the limit
     * @param maxConnections        {@code max-connections}, or lower where the descriptor limit is lower
     * @param managedPool           the server's managed executor, or null for a pool of {@code fan-out.threads}
     */
    public Switchboard(SwitchboardConfig config, IntSupplier unfinishedConnections, int maxConnections,
                       Executor managedPool) {
        this.config = config;
        this.grid = !config.cluster() ? null : managedPool == null ? Grid.embedded(config) : Grid.ofServer();
        this.metrics = new SwitchboardMetrics(grid == null ? null : grid.nodeId());
        this.ownPool = managedPool == null ? Executors.newFixedThreadPool(config.fanOutThreads(),
                DaemonThreads.named("switchboard-fan-out")) : null;
        this.pool = managedPool == null ? ownPool : managedPool;
        this.roomsAndTopicsBudget = new LogBudget("rooms-and-topics", config.recoveryMaxBytes());
        this.imagesBudget = new LogBudget("images", config.imagesHistoryBytes());
        Duration shortest = config.recoveryTtl().compareTo(config.imagesEmptyRoomTtl()) < 0
                ? config.recoveryTtl() : config.imagesEmptyRoomTtl();
        long sweepEvery = Math.max(100, Math.min(10_000, shortest.toMillis() / 4));
        LocalBus localBus = new LocalBus(this::retention, pool, timers, sweepEvery, System::nanoTime);
        // with cluster=on rooms, image rooms, topics, the console (evals, targets, answers) and XMPP
        // presence cross nodes; the ticker stays
        this.bus = grid == null ? localBus : new GridBus(grid, List.of(
                new GridBus.Kind(ChatRooms.channel(""), ChatRooms.CODEC),
                new GridBus.Kind(ImageRooms.channel(""), ImageRooms.CODEC),
                new GridBus.Kind(Broker.channel(""), Broker.TOPIC_CODEC),
                new GridBus.Kind(ConsoleHub.TARGETS, ConsoleHub.CODEC),
                new GridBus.Kind(ConsoleHub.HUBS, ConsoleHub.CODEC),
                new GridBus.Kind(XmppService.PRESENCE_CHANNEL, XmppService.PRESENCE_CODEC)), this::retention,
                config.imagesHistoryBytes(), config.imagesEmptyRoomTtl(), localBus, pool, timers, sweepEvery,
                System::nanoTime);
        // a stripe's backlog leaves as one write per receiver (transport.fast-path)
        this.fanOut = new FanOut(bus, pool, config.fanOutThreads(), config.fanOutMaxBacklog(), WriteBatch.MERGING);
        this.keepAlive = new KeepAlive(connections, config.idleTimeout(), config.keepaliveInterval());
        this.chatCodec = new ChatCodec(config.chatMaxText());
        this.roster = grid == null ? Roster.local() : new GridRoster(grid, pool, timers);
        this.chatRooms = new ChatRooms(bus, fanOut, config.chatHistory(), System::currentTimeMillis,
                metrics.registry(), roster);
        metrics.beforeScrape(chatRooms::refreshMetrics);
        this.imageRooms = new ImageRooms(bus, fanOut, config.imagesHistory(), config.imagesMaxBytes(),
                System::currentTimeMillis);
        registerBusMetrics();
        this.dataDirectory = DataDirectory.open(config.dataDir());
        this.gridQueues = grid == null ? null : new GridQueues(grid, pool);
        this.stompBroker = stompBroker(config, dataDirectory);
        if (gridQueues != null) {
            gridQueues.serve(stompBroker.core()); // this node runs the queues it is home to
        }
        registerStoreMetrics();
        this.vncGateway = new VncGateway(VncTargets.parse(config.vncTargets()), config.vncConnectTimeout(),
                metrics.registry());
        this.consoleHub = new ConsoleHub(bus, fanOut, timers, config.consoleEvalTimeout(), System::currentTimeMillis,
                grid == null ? ConsoleTargets.local() : new GridConsoleTargets(grid, pool, timers));
        // a fixed seed: every run of the demo walks the same prices
        this.tickerFeed = new TickerFeed(new PriceTicker(PriceTicker.DEMO_SYMBOLS, 1995, System::currentTimeMillis), bus,
                fanOut, System::currentTimeMillis, System::nanoTime).start();
        this.security = SecurityPolicy.from(config, grid == null ? null : new GridLogins(grid));
        FunctionCounter.builder("switchboard.password.checks", security, SecurityPolicy::passwordChecks)
                .description("Password (bcrypt) checks run").register(metrics.registry());
        for (SecurityPolicy.Credentials.Outcome outcome : List.of(SecurityPolicy.Credentials.Outcome.INVALID,
                SecurityPolicy.Credentials.Outcome.THROTTLED, SecurityPolicy.Credentials.Outcome.BUSY)) {
            FunctionCounter.builder("switchboard.logins.refused", security, s -> s.refusedLogins(outcome))
                    .tag("reason", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .description("Logins refused: wrong credentials, throttled (429), password checks busy (503)")
                    .register(metrics.registry());
        }
        this.xmppService = new XmppService(new XmppService.Settings(config.xmppDomain(), config.keepaliveInterval(),
                config.idleTimeout(), XMPP_LOGIN_TIMEOUT), security, chatRooms, chatCodec, bus, fanOut, this::floodGuard,
                timers, System::nanoTime,
                grid == null ? XmppDirectory.SINGLE_NODE : new GridXmppDirectory(grid, pool, timers)); // XMPP across nodes
        this.serverNames = ServerNames.of(config.serverNames(), config.host());
        this.compression = Compression.of(config.compression(), config.compressionLevel(), config.compressionMinBytes(),
                !config.compressionContextTakeover());
        compression.registerMetrics(metrics.registry());
        GridConnections gridConnections = grid == null ? null : new GridConnections(grid, pool);
        this.otherNodes = gridConnections == null ? OtherNodes.NONE : gridConnections;
        this.connectionDirectory = new ConnectionDirectory(new LocalConnections(connections,
                gridConnections == null ? () -> "local" : gridConnections::node), otherNodes);
        this.guard = new HandshakeGuard(OriginPolicy.of(config.allowedOrigins(), serverNames), security,
                () -> connections.count() + unfinishedConnections.getAsInt(), maxConnections,
                TrustedProxies.of(config.trustedProxies()));
    }

    public SwitchboardConfig config() {
        return config;
    }

    public SwitchboardMetrics metrics() {
        return metrics;
    }

    public ConnectionRegistry connections() {
        return connections;
    }

    /** This node in its cluster for {@code health}; null with {@code cluster=off}. */
    public ClusterStatus clusterStatus() {
        return grid == null ? null : new ClusterStatus(grid.members(), grid.nodeId());
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** The server listens and every endpoint is deployed: ready for clients (standalone launcher, or the WAR's deployment). */
    public void started() {
        started = true;
    }

    /**
     * Why {@code health/ready} says 503 now — starting, shutting down, or (cluster=on) not a running
     * member of the grid — or null when this node should get new clients.
     */
    public String notReady() {
        if (shuttingDown) {
            return "shutting down";
        }
        if (!started) {
            return "starting";
        }
        if (grid != null && !otherNodes.inGrid()) {
            return "not in the cluster's grid";
        }
        return null;
    }

    /** admin/connections: every node's open WebSockets. */
    public ConnectionDirectory connectionDirectory() {
        return connectionDirectory;
    }

    /** The origins a handshake may come from ({@code allowed-origins}), for the HTTP resources that check them too. */
    public OriginPolicy origins() {
        return OriginPolicy.of(config.allowedOrigins(), serverNames);
    }

    /**
     * What each endpoint's handshake asks, by the first segment of its path (the access probe uses it
     * too). STOMP and XMPP are open: their clients log in inside the protocol (CONNECT, SASL).
     */
    public static final Map<String, HandshakeGuard.Access> ENDPOINT_ACCESS = Map.of(
            "echo", HandshakeGuard.Access.USER, "chat", HandshakeGuard.Access.USER, "images", HandshakeGuard.Access.USER,
            "stomp", HandshakeGuard.Access.OPEN, "vnc", HandshakeGuard.Access.rule("vnc"),
            "console", HandshakeGuard.Access.USER, "overhead", HandshakeGuard.Access.USER,
            "xmpp", HandshakeGuard.Access.OPEN);

    /** The endpoints offered permessage-deflate: those carrying text (images and VNC are compressed already). */
    static final Set<String> COMPRESSED_ENDPOINTS = Set.of("echo", "chat", "stomp", "console", "xmpp");

    /** A stream that has not logged in and bound a resource by then is ended ({@code connection-timeout}). */
    static final Duration XMPP_LOGIN_TIMEOUT = Duration.ofSeconds(60);

    public HandshakeGuard guard() {
        return guard;
    }

    /** Where {@code data-dir} is, resolved. */
    public java.nio.file.Path dataDirectory() {
        return dataDirectory.path();
    }

    /** Every WebSocket endpoint, each behind the handshake guard. */
    public List<ServerEndpointConfig> endpointConfigs() {
        ConnectionLimits limits = ConnectionLimits.from(config);
        return List.of(
                endpoint("echo", EchoEndpoint.class, EchoEndpoint.PATH, ENDPOINT_ACCESS.get("echo"), limits,
                        EchoEndpoint::new),
                endpoint("chat", ChatEndpoint.class, ChatEndpoint.PATH, ENDPOINT_ACCESS.get("chat"), limits,
                        context -> new ChatEndpoint(context, chatRooms, chatCodec, floodGuard(),
                                security)),
                endpoint("images", ImageEndpoint.class, ImageEndpoint.PATH, ENDPOINT_ACCESS.get("images"),
                        limits.withMaxMessageBytes(messageLimit(config, ImageEndpoint.PATH)),
                        context -> new ImageEndpoint(context, imageRooms, config.imagesMaxBytes(), floodGuard(), security)),
                endpoint("stomp", StompEndpoint.class, StompEndpoint.PATH, ENDPOINT_ACCESS.get("stomp"),
                        limits.withMaxMessageBytes(messageLimit(config, StompEndpoint.PATH)), StompVersion.subprotocols(),
                        context -> new StompEndpoint(context, stompBroker, floodGuard(), security)),
                endpoint("vnc", VncEndpoint.class, VncEndpoint.PATH, ENDPOINT_ACCESS.get("vnc"), limits,
                        List.of(VncEndpoint.SUBPROTOCOL), context -> new VncEndpoint(context, vncGateway)),
                endpoint("console", ConsoleEndpoint.class, ConsoleEndpoint.PATH, ENDPOINT_ACCESS.get("console"), limits,
                        context -> new ConsoleEndpoint(context, consoleHub, floodGuard(), security)),
                endpoint("xmpp", XmppEndpoint.class, XmppEndpoint.PATH, ENDPOINT_ACCESS.get("xmpp"),
                        limits.withMaxMessageBytes(messageLimit(config, XmppEndpoint.PATH)), List.of(XmppEndpoint.SUBPROTOCOL),
                        context -> new XmppEndpoint(context, xmppService, new XmppFraming(config.xmppMaxStanzaBytes()))),
                endpoint("overhead", TickerEndpoint.class, TickerEndpoint.PATH, ENDPOINT_ACCESS.get("overhead"), limits,
                        List.of(), TickerEndpoint::observeHandshake,
                        context -> new TickerEndpoint(context, fanOut, tickerFeed, floodGuard())));
    }

    /**
     * The STOMP broker on its store in {@code data-dir/stomp}; a store that cannot be opened stops
     * startup with a message naming it (what it holds must not be silently left behind).
     */
    private StompBroker stompBroker(SwitchboardConfig config, DataDirectory data) {
        int[] heartbeat = config.stompHeartbeat();
        StompSettings settings = new StompSettings(config.stompMaxFrameBytes(), config.stompMaxHeaders(),
                config.stompMaxHeaderLineBytes(), config.stompQueueDepth(), config.stompQueueBytes(),
                config.stompTransactionBytes(), config.stompTransactionTtl(),
                config.stompMaxTransactions(), config.stompMaxSubscriptions(),
                config.stompMaxDestinations(), StompSettings.defaultMaxHeldBytes(), heartbeat[0], heartbeat[1]);
        JournalStore store = new JournalStore(new StoreSettings(data.path().resolve("stomp"),
                StoreSettings.Sync.parse(config.stompStoreSync()), config.stompStoreBatchWindow(),
                config.stompStoreFileBytes()));
        try {
            return new StompBroker(bus, fanOut, settings, store, timers, config.recoveryTtl(), pool, gridQueues);
        } catch (StoreException | RuntimeException e) {
            store.close();
            data.close();
            throw new IllegalStateException("the STOMP store in " + data.path().resolve("stomp") + " cannot be opened: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Each channel's log by kind (docs/protocol.md, "What a reconnecting client gets back"): rooms
     * keep their history while occupied and what a reconnect needs for {@code recovery.ttl}; image
     * rooms their last images; topics their last messages for {@code recovery.ttl}; the ticker nothing.
     */
    private Retention retention(String channel) {
        Duration ttl = config.recoveryTtl();
        if (channel.startsWith(ChatRooms.channel(""))) {
            return new Retention(Math.max(config.chatRecoveryMessages(), config.chatHistory()),
                    config.recoveryChannelBytes(), ttl, config.chatHistory(), ttl, roomsAndTopicsBudget);
        }
        if (channel.startsWith(ImageRooms.channel(""))) {
            Duration empty = config.imagesEmptyRoomTtl();
            return new Retention(config.imagesHistory(), config.imagesHistoryBytes(), empty, config.imagesHistory(),
                    empty, imagesBudget);
        }
        if (channel.startsWith(StompBroker.TOPIC_CHANNEL_PREFIX)) {
            return new Retention(config.stompTopicHistory(), config.recoveryChannelBytes(), ttl, 0, ttl,
                    roomsAndTopicsBudget);
        }
        return Retention.none(roomsAndTopicsBudget);
    }

    private void registerStoreMetrics() {
        MeterRegistry registry = metrics.registry();
        Broker core = stompBroker.core();
        Gauge.builder("switchboard.stomp.store.up", core, b -> b.storeProblem() == null ? 1 : 0)
                .description("1 while the STOMP store writes, 0 once it failed (persistent SENDs are refused)")
                .register(registry);
        Gauge.builder("switchboard.stomp.persistent.messages", core, Broker::persistentMessages)
                .description("Persistent STOMP messages held (in the store), queues and durable backlogs").register(registry);
        Gauge.builder("switchboard.stomp.durable.subscriptions", core, Broker::durableSubscriptions)
                .description("Durable topic subscriptions, active or away").register(registry);
    }

    private void registerBusMetrics() {
        MeterRegistry registry = metrics.registry();
        Gauge.builder("switchboard.bus.channels", bus, MessageBus::channelCount)
                .description("Channels (rooms, image rooms, topics) attached to or lingering for recovery").register(registry);
        Gauge.builder("switchboard.bus.pending", bus, MessageBus::pendingDeliveries)
                .description("Events published and not yet fanned out").register(registry);
        for (LogBudget budget : List.of(roomsAndTopicsBudget, imagesBudget)) {
            Gauge.builder("switchboard.bus.log.bytes", budget, LogBudget::usedBytes).baseUnit("bytes")
                    .description("Bytes held in channel logs for history and recovery").tag("budget", budget.name())
                    .register(registry);
            Gauge.builder("switchboard.bus.log.events", budget, LogBudget::heldEvents)
                    .description("Events held in channel logs").tag("budget", budget.name()).register(registry);
            FunctionCounter.builder("switchboard.bus.log.evictions", budget, LogBudget::evictions)
                    .description("Events dropped early to stay within the budget's bytes").tag("budget", budget.name())
                    .register(registry);
        }
        // the names image drop has always reported
        Gauge.builder("switchboard.images.history.bytes", imagesBudget, LogBudget::usedBytes).baseUnit("bytes")
                .description("Bytes of images kept as history, all rooms").register(registry);
        Gauge.builder("switchboard.images.history.images", imagesBudget, LogBudget::heldEvents)
                .description("Images kept as history, all rooms").register(registry);
    }

    /**
     * The largest message the endpoint at {@code path} (its first segment names it) takes before
     * closing with 1009: images and STOMP have transport limits of their own, every other
     * endpoint takes {@code max-message-bytes}. The endpoints and the standalone frame guard both
     * ask here.
     */
    public static int messageLimit(SwitchboardConfig config, String path) {
        String endpoint = firstSegment(path);
        if (endpoint.equals(firstSegment(ImageEndpoint.PATH))) {
            return imagesTransportLimit(config);
        }
        if (endpoint.equals(firstSegment(StompEndpoint.PATH))) {
            return stompTransportLimit(config);
        }
        if (endpoint.equals(firstSegment(XmppEndpoint.PATH))) {
            return xmppTransportLimit(config);
        }
        return config.maxMessageBytes();
    }

    /**
     * What the endpoint at {@code path} says, as one text message, before a close with 1009 that
     * the transport decided (the standalone frame guard): STOMP's ERROR, since the contract wants
     * one for every oversized frame; null for the others (their close code says it all).
     */
    public static String oversizeNotice(SwitchboardConfig config, String path) {
        String endpoint = firstSegment(path);
        if (endpoint.equals(firstSegment(XmppEndpoint.PATH))) {
            return XmppWriter.streamError(StreamErrorCondition.POLICY_VIOLATION,
                    XmppFraming.stanzaLimitText(config.xmppMaxStanzaBytes()));
        }
        return endpoint.equals(firstSegment(StompEndpoint.PATH))
                ? StompEndpoint.oversizeError(stompTransportLimit(config)) : null;
    }

    /**
     * A little over a stanza's limit, so that a stanza just over it is read and answered
     * {@code policy-violation} by the framing; far over, the transport stops reading (1009).
     */
    private static int xmppTransportLimit(SwitchboardConfig config) {
        return config.xmppMaxStanzaBytes() + 4096;
    }

    private static String firstSegment(String path) {
        int start = path.startsWith("/") ? 1 : 0;
        int end = path.indexOf('/', start);
        return end < 0 ? path.substring(start) : path.substring(start, end);
    }

    /** The largest WebSocket message image drop takes before closing with 1009. */
    private static int imagesTransportLimit(SwitchboardConfig config) {
        return config.imagesMaxBytes() + ImageEndpoint.TRANSPORT_MARGIN;
    }

    /** A WebSocket message may carry several STOMP frames; the decoder enforces the frame limit itself. */
    private static int stompTransportLimit(SwitchboardConfig config) {
        return config.stompMaxFrameBytes() + 64 * 1024;
    }

    /** The largest message any endpoint takes: the container must buffer a frame that big. */
    public static int largestMessage(SwitchboardConfig config) {
        return Math.max(Math.max(Math.max(config.maxMessageBytes(), imagesTransportLimit(config)),
                stompTransportLimit(config)), xmppTransportLimit(config));
    }

    public TickerFeed tickerFeed() {
        return tickerFeed;
    }

    public ConsoleHub consoleHub() {
        return consoleHub;
    }

    public VncGateway vncGateway() {
        return vncGateway;
    }


    public StompBroker stompBroker() {
        return stompBroker;
    }


    public ImageRooms imageRooms() {
        return imageRooms;
    }

    public ChatRooms chatRooms() {
        return chatRooms;
    }

    /** The XMPP server: the WebSocket endpoint's streams, and the TCP listener's standalone. */
    public XmppService xmppService() {
        return xmppService;
    }

    private FloodGuard floodGuard() {
        return new FloodGuard(config.rateMessagesPerSecond(), config.rateBurst(), System::nanoTime);
    }

    public void deployTo(ServerContainer container) throws DeploymentException {
        for (ServerEndpointConfig endpoint : endpointConfigs()) {
            container.addEndpoint(endpoint);
        }
    }

    /** Closes every WebSocket with 1001 (going away) and waits a moment for the close frames to go out. */
    public void shutdown(Duration grace) {
        if (shuttingDown) {
            return; // standalone, the server has already done it before undeploying
        }
        long began = System.nanoTime();
        shuttingDown = true; // from here health and health/ready answer 503, new handshakes 503
        keepAlive.close();
        xmppService.close(); // every XMPP stream ends with system-shutdown before its socket's 1001
        int open = connections.count();
        LOG.log(Level.INFO, "Shutting down: health/ready and new handshakes answer 503; closing {0} WebSocket connections"
                + " with 1001 (up to {1} ms for their close handshakes)", new Object[] {open, grace.toMillis()});
        connections.closeAll(1001, "server shutting down");
        int left = 0;
        try {
            if (!connections.awaitEmpty(grace)) {
                left = connections.count();
                LOG.log(Level.WARNING, "{0} connections still open after {1}", new Object[] {left, grace});
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        otherNodes.close(); // no more admin questions from the other nodes
        if (gridQueues != null) {
            gridQueues.close(); // no more requests from other nodes for the queues homed here
        }
        stompBroker.close(); // the store's last writes reach the disk
        dataDirectory.close();
        vncGateway.close();
        tickerFeed.close();
        roster.close();
        consoleHub.close();
        bus.close();
        if (grid != null) {
            grid.close(); // after the sockets and the bus: nothing here reads the grid any more
        }
        compression.close();
        timers.shutdownNow();
        if (ownPool != null) {
            ownPool.shutdownNow();
        }
        metrics.close();
        LOG.log(Level.INFO, "Switchboard stopped in {0} ms: {1} WebSocket connections closed with 1001{2}, the STOMP store"
                + " closed{3}", new Object[] {(System.nanoTime() - began) / 1_000_000, open,
                left == 0 ? "" : " (" + left + " had not finished their close and were ended)",
                grid == null ? "" : ", left the cluster's grid"});
    }

    private ServerEndpointConfig endpoint(String name, Class<? extends Endpoint> type, String path,
                                          HandshakeGuard.Access access, ConnectionLimits limits,
                                          Function<EndpointContext, ? extends Endpoint> factory) {
        return endpoint(name, type, path, access, limits, List.of(), factory);
    }

    private ServerEndpointConfig endpoint(String name, Class<? extends Endpoint> type, String path,
                                          HandshakeGuard.Access access, ConnectionLimits limits, List<String> subprotocols,
                                          Function<EndpointContext, ? extends Endpoint> factory) {
        return endpoint(name, type, path, access, limits, subprotocols, GuardedConfigurator.HandshakeObserver.NONE,
                factory);
    }

    private ServerEndpointConfig endpoint(String name, Class<? extends Endpoint> type, String path,
                                          HandshakeGuard.Access access, ConnectionLimits limits, List<String> subprotocols,
                                          GuardedConfigurator.HandshakeObserver observer,
                                          Function<EndpointContext, ? extends Endpoint> factory) {
        EndpointMetrics endpointMetrics = metrics.endpoint(name);
        EndpointContext context = new EndpointContext(endpointMetrics, connections, limits, pool, timers);
        ServerEndpointConfig.Configurator configurator = new GuardedConfigurator(guard, access, endpointMetrics,
                () -> factory.apply(context), observer);
        boolean compressed = COMPRESSED_ENDPOINTS.contains(name);
        return ServerEndpointConfig.Builder.create(type, path).subprotocols(subprotocols)
                .extensions(compressed ? compression.extensions() : List.of())
                .configurator(compressed ? compression.negotiating(configurator, limits.maxMessageBytes()) : configurator)
                .build();
    }

    public SecurityPolicy security() {
        return security;
    }

    /** The names this server answers to ({@code server-names}). */
    public ServerNames serverNames() {
        return serverNames;
    }
}
