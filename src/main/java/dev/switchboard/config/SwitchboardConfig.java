package dev.switchboard.config;

import dev.switchboard.broker.store.StoreSettings;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of Switchboard's configuration keys. Each key is looked up, in this order, as the
 * system property {@code switchboard.KEY}, the environment variable {@code SWITCHBOARD_KEY} (upper
 * case, {@code .} and {@code -} as {@code _}), then its default. Every value is parsed when the
 * configuration is built, so a malformed value stops startup with a message naming the key.
 */
public final class SwitchboardConfig {

    public static final String PROPERTY_PREFIX = "switchboard.";
    public static final String ENV_PREFIX = "SWITCHBOARD_";

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private final Function<String, String> systemProperties;
    private final Function<String, String> environment;

    private final String host;
    private final int port;
    private final int maxMessageBytes;
    private final Duration idleTimeout;
    private final Duration keepaliveInterval;
    private final long sendQueueBytes;
    private final int rateMessagesPerSecond;
    private final int rateBurst;
    private final List<String> allowedOrigins;
    private final int maxConnections;
    private final int chatHistory;
    private final int chatMaxText;
    private final int imagesMaxBytes;
    private final int imagesHistory;
    private final long imagesHistoryBytes;
    private final Duration imagesEmptyRoomTtl;
    private final int stompMaxFrameBytes;
    private final int stompMaxHeaders;
    private final int stompMaxHeaderLineBytes;
    private final int stompQueueDepth;
    private final int[] stompHeartbeat;
    private final List<String> vncTargets;
    private final Duration vncConnectTimeout;
    private final Duration consoleEvalTimeout;
    private final String tlsKeystore;
    private final int selectorThreads;
    private final int workerThreads;
    private final boolean workersRunHandlers;
    private final String tlsKeystorePassword;
    private final Duration handshakeTimeout;
    private final List<String> serverNames;
    private final List<String> trustedProxies;
    private final long stompQueueBytes;
    private final long stompTransactionBytes;
    private final Duration stompTransactionTtl;
    private final int stompMaxDestinations;
    private final int stompMaxTransactions;
    private final int stompMaxSubscriptions;
    private final int maxFailedLogins;
    private final Duration failedLoginWindow;
    private final Duration recoveryTtl;
    private final String dataDir;
    private final String stompStoreSync;
    private final Duration stompStoreBatchWindow;
    private final long stompStoreFileBytes;
    private final int chatRecoveryMessages;
    private final int stompTopicHistory;
    private final long recoveryChannelBytes;
    private final long recoveryMaxBytes;
    private final int fanOutThreads;
    private final int fanOutMaxBacklog;
    private final String xmppDomain;
    private final int xmppMaxStanzaBytes;
    private final int xmppTcpPort;
    private final boolean compression;
    private final int compressionLevel;
    private final int compressionMinBytes;
    private final boolean compressionContextTakeover;
    private final boolean transportFastPath;
    private final boolean cluster;
    private final String clusterName;
    private final List<String> clusterMembers;
    private final int clusterPort;

    private SwitchboardConfig(Function<String, String> systemProperties, Function<String, String> environment) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.host = string("host", "127.0.0.1");
        this.port = integer("port", 8080, 0, 65535);
        this.maxMessageBytes = (int) bytes("max-message-bytes", MIB, 1, Integer.MAX_VALUE - 1024);
        this.idleTimeout = duration("idle-timeout", Duration.ofMinutes(5));
        this.keepaliveInterval = duration("keepalive-interval", Duration.ofSeconds(30));
        this.sendQueueBytes = bytes("send-queue-bytes", 4 * MIB, 1, Long.MAX_VALUE);
        this.rateMessagesPerSecond = integer("rate.messages-per-second", 200, 1, Integer.MAX_VALUE);
        this.rateBurst = integer("rate.burst", 2 * rateMessagesPerSecond, 1, Integer.MAX_VALUE);
        this.allowedOrigins = list("allowed-origins");
        this.maxConnections = integer("max-connections", 50_000, 1, Integer.MAX_VALUE);
        this.chatHistory = integer("chat.history", 50, 0, 10_000);
        this.chatMaxText = integer("chat.max-text", 4000, 1, 1_000_000);
        this.imagesMaxBytes = (int) bytes("images.max-bytes", 8 * MIB, 1, 512 * MIB);
        this.imagesHistory = integer("images.history", 10, 0, 1000);
        this.imagesHistoryBytes = bytes("images.history-bytes", 64 * MIB, 0, Long.MAX_VALUE);
        this.imagesEmptyRoomTtl = duration("images.empty-room-ttl", Duration.ofMinutes(10));
        this.stompMaxFrameBytes = (int) bytes("stomp.max-frame-bytes", MIB, 64, 256 * MIB);
        this.stompMaxHeaders = integer("stomp.max-headers", 64, 1, 10_000);
        this.stompMaxHeaderLineBytes = (int) bytes("stomp.max-header-line", 8 * KIB, 64, MIB);
        this.stompQueueDepth = integer("stomp.queue-depth", 10_000, 1, 10_000_000);
        this.stompHeartbeat = pair("stomp.heartbeat", new int[] {10_000, 10_000});
        this.vncTargets = list("vnc.targets");
        this.vncConnectTimeout = duration("vnc.connect-timeout", Duration.ofSeconds(5));
        this.consoleEvalTimeout = duration("console.eval-timeout", Duration.ofSeconds(10));
        this.tlsKeystore = raw("tls.keystore").orElse(null);
        this.tlsKeystorePassword = string("tls.keystore-password", "");
        this.selectorThreads = integer("standalone.selector-threads", 0, 0, 1024);
        this.workerThreads = integer("standalone.worker-threads", 0, 0, 10_000);
        this.workersRunHandlers = choice("standalone.io-strategy", "worker", "worker", "same-thread").equals("worker");
        this.handshakeTimeout = duration("handshake-timeout", Duration.ofSeconds(15));
        this.serverNames = list("server-names");
        this.trustedProxies = list("trusted-proxies");
        this.stompQueueBytes = bytes("stomp.queue-bytes", 64 * MIB, 1, Long.MAX_VALUE);
        this.stompTransactionBytes = bytes("stomp.transaction-bytes", 16 * MIB, 1, Long.MAX_VALUE);
        this.stompTransactionTtl = duration("stomp.transaction-ttl", Duration.ofMinutes(5));
        this.stompMaxDestinations = integer("stomp.max-destinations", 100_000, 1, 100_000_000);
        this.stompMaxTransactions = integer("stomp.max-transactions", 16, 1, 1_000_000);
        this.stompMaxSubscriptions = integer("stomp.max-subscriptions", 1_000, 1, 1_000_000);
        this.maxFailedLogins = integer("security.max-failed-logins", 10, 1, 1_000_000);
        this.failedLoginWindow = duration("security.failed-login-window", Duration.ofMinutes(1));
        this.recoveryTtl = duration("recovery.ttl", Duration.ofMinutes(2));
        this.dataDir = raw("data-dir").filter(d -> !d.isBlank()).orElse(null);
        this.stompStoreSync = choice("stomp.store.sync", "always", "always", "batch");
        this.stompStoreBatchWindow = duration("stomp.store.batch-window", StoreSettings.DEFAULT_BATCH_WINDOW);
        this.stompStoreFileBytes = bytes("stomp.store.file-bytes", StoreSettings.DEFAULT_FILE_BYTES,
                StoreSettings.MIN_FILE_BYTES, Integer.MAX_VALUE);
        this.chatRecoveryMessages = integer("chat.recovery-messages", 1000, 0, 1_000_000);
        this.stompTopicHistory = integer("stomp.topic-history", 1000, 0, 1_000_000);
        this.recoveryChannelBytes = bytes("recovery.channel-bytes", 16 * MIB, 0, Long.MAX_VALUE);
        // by default a quarter of the heap at most: the logs must never crowd out the connections they serve
        this.recoveryMaxBytes = bytes("recovery.max-bytes", Math.min(256 * MIB, Runtime.getRuntime().maxMemory() / 4),
                0, Long.MAX_VALUE);
        this.fanOutThreads = integer("fan-out.threads", Math.max(2, Runtime.getRuntime().availableProcessors()), 1, 1024);
        this.fanOutMaxBacklog = integer("fan-out.max-backlog", 10_000, 1, 10_000_000);
        this.xmppDomain = string("xmpp.domain", "localhost");
        this.xmppMaxStanzaBytes = (int) bytes("xmpp.max-stanza-bytes", 256 * KIB, 1024, 64 * MIB);
        this.xmppTcpPort = integer("xmpp.tcp-port", 0, 0, 65535);
        this.compression = choice("compression", "on", "on", "off").equals("on");
        this.compressionLevel = integer("compression.level", 1, 1, 9);
        this.compressionMinBytes = (int) bytes("compression.min-bytes", 64, 0, MIB);
        this.compressionContextTakeover = choice("compression.context-takeover", "on", "on", "off").equals("on");
        this.transportFastPath = choice("transport.fast-path", "on", "on", "off").equals("on");
        this.cluster = choice("cluster", "off", "on", "off").equals("on");
        this.clusterName = string("cluster.name", "switchboard");
        this.clusterMembers = list("cluster.members");
        this.clusterPort = integer("cluster.port", 5701, 1, 65535);
    }

    /** Configuration from this JVM's system properties and environment. */
    public static SwitchboardConfig fromEnvironment() {
        return new SwitchboardConfig(System::getProperty, System::getenv);
    }

    /** Configuration from the given sources, each keyed by its full name ({@code switchboard.port}, {@code SWITCHBOARD_PORT}). */
    public static SwitchboardConfig from(Map<String, String> systemProperties, Map<String, String> environment) {
        return new SwitchboardConfig(systemProperties::get, environment::get);
    }

    /** Configuration with the given keys ({@code port}, {@code max-message-bytes}, …) set, defaults for the rest. */
    public static SwitchboardConfig of(Map<String, String> keys) {
        return new SwitchboardConfig(name -> name.startsWith(PROPERTY_PREFIX)
                ? keys.get(name.substring(PROPERTY_PREFIX.length())) : null, name -> null);
    }

    /** The environment variable that holds {@code key}. */
    public static String environmentName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    // ---- the keys -------------------------------------------------------------------------------

    /** Address the standalone server binds to. */
    public String host() {
        return host;
    }

    /** Port of the standalone server; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** Largest whole message (text or binary) an endpoint accepts; larger closes with 1009. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** A connection without any frame from the peer (messages and pongs count) for this long is closed with 1001; 0 never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A connection quiet this long gets a ping (its pong counts as a frame); 0 sends none. */
    public Duration keepaliveInterval() {
        return keepaliveInterval;
    }

    /** Bytes that may wait to be sent to one connection before it counts as a slow consumer (1013). */
    public long sendQueueBytes() {
        return sendQueueBytes;
    }

    /** Sustained messages per second one connection may send. */
    public int rateMessagesPerSecond() {
        return rateMessagesPerSecond;
    }

    /** Messages one connection may send in a burst above the sustained rate. */
    public int rateBurst() {
        return rateBurst;
    }

    /**
     * Origins allowed to open a WebSocket. Empty means the default: the request's own host, plus localhost.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Open WebSockets the whole server holds; the next handshake gets 503. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Room messages kept per chat room and replayed in {@code welcome}. */
    public int chatHistory() {
        return chatHistory;
    }

    /** Longest chat message text, in characters ({@code too-long} beyond). */
    public int chatMaxText() {
        return chatMaxText;
    }

    /** Largest image accepted by image drop ({@code too-large} beyond; 1009 only past this + 1 MiB). */
    public int imagesMaxBytes() {
        return imagesMaxBytes;
    }

    /** Images kept per room and replayed to a newcomer. */
    public int imagesHistory() {
        return imagesHistory;
    }

    /** Bytes of image history kept across all rooms; the oldest image anywhere goes first. */
    public long imagesHistoryBytes() {
        return imagesHistoryBytes;
    }

    /** How long the history of a room nobody is in is kept. */
    public Duration imagesEmptyRoomTtl() {
        return imagesEmptyRoomTtl;
    }

    /** Largest STOMP frame (ERROR + 1009 beyond). */
    public int stompMaxFrameBytes() {
        return stompMaxFrameBytes;
    }

    public int stompMaxHeaders() {
        return stompMaxHeaders;
    }

    public int stompMaxHeaderLineBytes() {
        return stompMaxHeaderLineBytes;
    }

    /** Messages a queue holds while nobody subscribes. */
    public int stompQueueDepth() {
        return stompQueueDepth;
    }

    /** The server's heart-beat offer in ms: {can send every, wants every}; 0 is never. */
    public int[] stompHeartbeat() {
        return stompHeartbeat.clone();
    }

    /** {@code NAME=HOST:PORT} entries: the only VNC servers the bridge dials. */
    public List<String> vncTargets() {
        return vncTargets;
    }

    public Duration vncConnectTimeout() {
        return vncConnectTimeout;
    }

    /** How long an operator waits for a target's result before it is reported as {@code timeout}. */
    public Duration consoleEvalTimeout() {
        return consoleEvalTimeout;
    }

    /** PKCS#12 keystore path; when set, the standalone port serves https/wss only. Null when not set. */
    public String tlsKeystore() {
        return tlsKeystore;
    }

    public String tlsKeystorePassword() {
        return tlsKeystorePassword;
    }

    /** Standalone: Grizzly selector threads (0: one per core). */
    public int selectorThreads() {
        return selectorThreads;
    }

    /** Standalone: Grizzly worker threads (0: Grizzly's default pool). */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * Standalone: whether WebSocket and servlet work runs on worker threads (the default) or on the
     * selector thread that read it ({@code same-thread}: fewer hand-offs, but one slow handler —
     * a bcrypt login, say — holds up every connection on that selector).
     */
    public boolean workersRunHandlers() {
        return workersRunHandlers;
    }

    /**
     * How long a connection may take to send a complete HTTP request head (and, for a WebSocket,
     * to be upgraded) before it is closed; such connections count against {@link #maxConnections()}.
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * The names this server answers to, for the {@code same-host} origin rule (a {@code Host} not
     * among them is foreign: DNS rebinding). Empty means the default: localhost, the bind address
     * and the machine's own names.
     */
    public List<String> serverNames() {
        return serverNames;
    }

    /**
     * {@code trusted-proxies}: the addresses or CIDR blocks of the reverse proxies whose
     * {@code Forwarded} / {@code X-Forwarded-For} / {@code X-Forwarded-Proto} are believed; empty: none.
     */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** Bytes one {@code /queue/*} holds, unacknowledged messages included; a SEND beyond gets ERROR. */
    public long stompQueueBytes() {
        return stompQueueBytes;
    }

    /** Bytes one open STOMP transaction may buffer; beyond, ERROR and close 1008. */
    public long stompTransactionBytes() {
        return stompTransactionBytes;
    }

    /** How long a STOMP transaction may stay open; then it is aborted. */
    public Duration stompTransactionTtl() {
        return stompTransactionTtl;
    }

    /** Destinations (topics and queues) the broker holds at once; a SUBSCRIBE or SEND beyond gets ERROR. */
    public int stompMaxDestinations() {
        return stompMaxDestinations;
    }

    /** Open STOMP transactions per connection; a BEGIN beyond gets ERROR. */
    public int stompMaxTransactions() {
        return stompMaxTransactions;
    }

    /** STOMP subscriptions per connection; a SUBSCRIBE beyond gets ERROR. */
    public int stompMaxSubscriptions() {
        return stompMaxSubscriptions;
    }

    /** Failed logins per user and per address within {@link #failedLoginWindow()} before 429. */
    public int maxFailedLogins() {
        return maxFailedLogins;
    }

    public Duration failedLoginWindow() {
        return failedLoginWindow;
    }

    // ---- typed readers, also for keys a feature owns ---------------------------------------------

    /** A value as set, or empty when the key is not set anywhere (blank counts as not set). */
    public Optional<String> raw(String key) {
        return setting(key).map(Setting::value);
    }

    public String string(String key, String defaultValue) {
        return raw(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<Setting> setting = setting(key);
        if (setting.isEmpty()) {
            return defaultValue;
        }
        String expected = "a whole number from " + min + " to " + max;
        try {
            long value = Long.parseLong(setting.get().value());
            if (value < min || value > max) {
                throw setting.get().invalid(expected);
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw setting.get().invalid(expected);
        }
    }

    /** A size in bytes: a plain number, or with a unit {@code B}, {@code KiB}, {@code MiB}, {@code GiB} (K/M/G and KB/MB/GB mean the same). */
    public long bytes(String key, long defaultValue, long min, long max) {
        Optional<Setting> setting = setting(key);
        if (setting.isEmpty()) {
            return defaultValue;
        }
        String expected = "a size such as 1048576, 512KiB or 1MiB, from " + min + " to " + max + " bytes";
        Long value = parseBytes(setting.get().value());
        if (value == null || value < min || value > max) {
            throw setting.get().invalid(expected);
        }
        return value;
    }

    /** A duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, ISO-8601 ({@code PT5M}), or a plain number of seconds. */
    public Duration duration(String key, Duration defaultValue) {
        Optional<Setting> setting = setting(key);
        if (setting.isEmpty()) {
            return defaultValue;
        }
        Duration value = parseDuration(setting.get().value());
        if (value == null || value.isNegative()) {
            throw setting.get().invalid("a duration such as 250ms, 30s, 5m, 1h or PT5M");
        }
        return value;
    }

    /** One of {@code choices}, compared without case. */
    private String choice(String key, String defaultValue, String... choices) {
        Optional<Setting> setting = setting(key);
        if (setting.isEmpty()) {
            return defaultValue;
        }
        for (String choice : choices) {
            if (choice.equalsIgnoreCase(setting.get().value().trim())) {
                return choice;
            }
        }
        throw setting.get().invalid("one of " + String.join(", ", choices));
    }

    /** {@code on|true|yes} or {@code off|false|no}. */
    public boolean flag(String key, boolean defaultValue) {
        Optional<Setting> setting = setting(key);
        if (setting.isEmpty()) {
            return defaultValue;
        }
        switch (setting.get().value().toLowerCase(Locale.ROOT)) {
            case "on": case "true": case "yes":
                return true;
            case "off": case "false": case "no":
                return false;
            default:
                throw setting.get().invalid("on or off");
        }
    }

    /** Two whole numbers of milliseconds, {@code a,b}. */
    public int[] pair(String key, int[] defaultValue) {
        Optional<Setting> setting = setting(key);
        if (setting.isEmpty()) {
            return defaultValue;
        }
        String[] parts = setting.get().value().split(",");
        try {
            if (parts.length == 2) {
                int a = Integer.parseInt(parts[0].trim());
                int b = Integer.parseInt(parts[1].trim());
                if (a >= 0 && b >= 0) {
                    return new int[] {a, b};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw setting.get().invalid("two millisecond values such as 10000,10000");
    }

    /** A comma-separated list, blanks dropped; empty when not set. */
    public List<String> list(String key) {
        return raw(key)
                .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    // ---- parsing ---------------------------------------------------------------------------------

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]?)(I?B)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h)?", Pattern.CASE_INSENSITIVE);

    static Long parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        try {
            long number = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                default -> 0;
            };
            if (m.group(3) != null && m.group(3).equalsIgnoreCase("ib") && shift == 0) {
                return null; // "5iB" is not a size
            }
            if (number > (Long.MAX_VALUE >> shift)) {
                return null;
            }
            return number << shift;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Duration parseDuration(String text) {
        String trimmed = text.trim();
        if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(trimmed);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher m = SHORT_DURATION.matcher(trimmed);
        if (!m.matches()) {
            return null;
        }
        try {
            long number = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(number);
                case "s" -> Duration.ofSeconds(number);
                case "m", "min" -> Duration.ofMinutes(number);
                default -> Duration.ofHours(number);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private Optional<Setting> setting(String key) {
        String property = PROPERTY_PREFIX + key;
        String value = systemProperties.apply(property);
        if (value != null && !value.isBlank()) {
            return Optional.of(new Setting(key, value.trim(), "system property " + property));
        }
        String variable = environmentName(key);
        value = environment.apply(variable);
        if (value != null && !value.isBlank()) {
            return Optional.of(new Setting(key, value.trim(), "environment variable " + variable));
        }
        return Optional.empty();
    }

    private record Setting(String key, String value, String source) {
        ConfigException invalid(String expected) {
            return new ConfigException("Invalid configuration '" + key + "' = '" + value + "' (from " + source
                    + "): expected " + expected + ".");
        }
    }

    /** {@code recovery.ttl}: how long a channel keeps an event for clients that reconnect (and a channel outlives its last receiver). */
    public Duration recoveryTtl() {
        return recoveryTtl;
    }

    /** {@code chat.recovery-messages}: room messages a room keeps for {@code recovery.ttl}. */
    public int chatRecoveryMessages() {
        return chatRecoveryMessages;
    }

    /** {@code stomp.topic-history}: messages a topic keeps for {@code recovery.ttl}. */
    public int stompTopicHistory() {
        return stompTopicHistory;
    }

    /** {@code recovery.channel-bytes}: bytes one room's or topic's log holds at most. */
    public long recoveryChannelBytes() {
        return recoveryChannelBytes;
    }

    /** {@code recovery.max-bytes}: bytes the logs of all rooms and topics hold together (oldest first out). */
    public long recoveryMaxBytes() {
        return recoveryMaxBytes;
    }

    /** {@code fan-out.threads}: the application's pool that fan-out and departures run on (standalone). */
    public int fanOutThreads() {
        return fanOutThreads;
    }

    /** {@code fan-out.max-backlog}: events of one channel waiting for their fan-out before its publishers are refused. */
    public int fanOutMaxBacklog() {
        return fanOutMaxBacklog;
    }

    /**
     * {@code data-dir}: where the node keeps what must survive a restart (persistent STOMP
     * messages, durable subscriptions), or null for the default (the caller knows where it runs).
     */
    public String dataDir() {
        return dataDir;
    }

    /** {@code stomp.store.sync}: {@code always} (forced to disk before each answer) or {@code batch} (group commit). */
    public String stompStoreSync() {
        return stompStoreSync;
    }

    /** {@code stomp.store.batch-window}: with {@code batch}, how long writes gather before one force to disk. */
    public Duration stompStoreBatchWindow() {
        return stompStoreBatchWindow;
    }

    /** {@code stomp.store.file-bytes}: the size of each of the store's journal files (a persistent message must fit in one). */
    public long stompStoreFileBytes() {
        return stompStoreFileBytes;
    }

    /** {@code xmpp.domain}: the XMPP domain; users are {@code NAME@DOMAIN}, rooms {@code ROOM@conference.DOMAIN}. */
    public String xmppDomain() {
        return xmppDomain;
    }

    /** {@code xmpp.max-stanza-bytes}: the largest stanza (UTF-8 bytes) before a {@code policy-violation} stream error. */
    public int xmppMaxStanzaBytes() {
        return xmppMaxStanzaBytes;
    }

    /** {@code xmpp.tcp-port}: standalone, the port of XMPP client streams over TCP (RFC 6120); 0 is off. */
    public int xmppTcpPort() {
        return xmppTcpPort;
    }

    /** {@code compression}: permessage-deflate (RFC 7692) on the text endpoints when a client offers it. */
    public boolean compression() {
        return compression;
    }

    /** {@code compression.level}: the Deflater level, 1 (fastest) to 9 (smallest). */
    public int compressionLevel() {
        return compressionLevel;
    }

    /** {@code compression.min-bytes}: messages shorter than this go out uncompressed (RSV1 clear). */
    public int compressionMinBytes() {
        return compressionMinBytes;
    }

    /**
     * {@code compression.context-takeover}: {@code on} lets a client keep the server's compression
     * window between messages (about 5× smaller chat JSON, but every receiver compresses each message
     * itself and holds a compressor); {@code off} answers {@code server_no_context_takeover} to every
     * offer, so all receivers of a broadcast share one compressed frame (RFC 7692 §7.1.1.1).
     */
    public boolean compressionContextTakeover() {
        return compressionContextTakeover;
    }

    /**
     * {@code transport.fast-path}: {@code on} uses the container's Tyrus internals where they are
     * found (frames encoded once for every receiver); {@code off} uses only the Jakarta API.
     */
    public boolean transportFastPath() {
        return transportFastPath;
    }

    /**
     * {@code cluster}: {@code on} joins this node to a Hazelcast data grid (standalone an embedded
     * member, in Payara the server's own); {@code off} keeps everything in this process.
     */
    public boolean cluster() {
        return cluster;
    }

    /** {@code cluster.name}: the grid's name; only members with the same name join each other. */
    public String clusterName() {
        return clusterName;
    }

    /** {@code cluster.members}: standalone, the grid's members as {@code HOST:PORT} (TCP-IP discovery, never multicast). */
    public List<String> clusterMembers() {
        return clusterMembers;
    }

    /** {@code cluster.port}: standalone, the port this node's grid member listens on (bound to {@code host}). */
    public int clusterPort() {
        return clusterPort;
    }
}
