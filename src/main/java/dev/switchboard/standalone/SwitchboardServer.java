package dev.switchboard.standalone;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardDeployment;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.ops.DaemonThreads;
import dev.switchboard.xmpp.tcp.XmppTcpListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.servlet.WebappContext;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Switchboard on Tyrus + Grizzly, without an application server: one Grizzly listener on the
 * configured host and port carries the WebSocket endpoints, the servlets and the pages. The
 * application itself is started by the same {@link SwitchboardDeployment} the WAR uses.
 */
public final class SwitchboardServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SwitchboardServer.class.getName());
    static final String CLASSPATH_WEBAPP = "webapp/";
    /** How long open WebSockets get to answer their 1001 close at shutdown. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);

    private final HttpServer http;
    private final StandaloneServerContainer container;
    private final WebappContext webapp;
    private final NetworkListener listener;
    private final boolean secure;
    private final ScheduledExecutorService timer;
    /** XMPP client streams over TCP ({@code xmpp.tcp-port}); null when that is 0. */
    private final XmppTcpListener xmppTcp;
    private boolean stopped;

    private SwitchboardServer(HttpServer http, StandaloneServerContainer container, WebappContext webapp,
                              NetworkListener listener, ScheduledExecutorService timer, XmppTcpListener xmppTcp) {
        this.http = http;
        this.xmppTcp = xmppTcp;
        this.timer = timer;
        this.container = container;
        this.webapp = webapp;
        this.listener = listener;
        this.secure = listener.isSecure();
    }

    /**
     * Starts a server.
     *
     * @param pages the directories with the pages, or empty for the pages packed in the jar
     */
    public static SwitchboardServer start(SwitchboardConfig config, List<Path> pages) {
        DescriptorBudget budget = DescriptorBudget.forThisProcess(config.maxConnections());
        ScheduledThreadPoolExecutor timer =
                new ScheduledThreadPoolExecutor(1, DaemonThreads.named("switchboard-listener-timeouts"));
        // a handshake deadline is cancelled as soon as the request is in: it should not stay queued until it would have fired
        timer.setRemoveOnCancelPolicy(true);
        HttpRequestGuard requestGuard = new HttpRequestGuard(config.handshakeTimeout(), budget.socketCap(), timer);
        Switchboard application;
        // XMPP's TCP streams count against max-connections with the WebSockets (the listener comes later)
        AtomicReference<XmppTcpListener> xmppTcp = new AtomicReference<>();
        try {
            // a configuration error stops here, before any port is taken
            application = new Switchboard(config, () -> requestGuard.unfinishedConnections()
                    + (xmppTcp.get() == null ? 0 : xmppTcp.get().openConnections()), budget.maxConnections(), null);
        } catch (RuntimeException e) {
            timer.shutdownNow();
            throw e;
        }
        logConnectionLimit(config, budget);
        requestGuard.bind(new HttpListenerMetrics(application.metrics().registry(), requestGuard::sockets,
                requestGuard::unfinishedConnections, budget.maxConnections()), application::isShuttingDown);
        HttpServer http = new HttpServer();
        // Grizzly skips at most this much of a request body nobody read, then closes instead
        http.getServerConfiguration().setMaxPayloadRemainderToSkip(64 * 1024);
        // no "Server: Grizzly 4.0.2": a version on every answer only helps whoever looks for a known hole
        http.getServerConfiguration().setHttpServerName("Switchboard");
        http.getServerConfiguration().setHttpServerVersion("");
        http.getServerConfiguration().setDefaultErrorPageGenerator(ErrorPage::html);
        NetworkListener listener = new NetworkListener("switchboard", config.host(), config.port());
        tune(listener.getTransport(), config);
        listener.getTransport().setIOStrategy(new ListenerIOStrategy(listener.getTransport().getIOStrategy(),
                new AcceptFailures(application.metrics().registry(), System::nanoTime), timer));
        // HTTP keep-alive connections may idle between requests as long as a request may take to
        // arrive; upgraded WebSockets are taken off this timeout by the request guard
        listener.getKeepAlive().setIdleTimeoutInSeconds((int) Math.max(1, config.handshakeTimeout().toSeconds()));
        // the request guard enforces the head limits first, with the security headers on its 431
        listener.setMaxHttpHeaderSize(2 * HttpRequestGuard.MAX_HEAD_BYTES);
        listener.setMaxRequestHeaders(2 * HttpRequestGuard.MAX_HEADERS);
        if (config.tlsKeystore() != null) {
            listener.setSecure(true); // https and wss only on this port
            listener.setSSLEngineConfig(Tls.serverEngine(config.tlsKeystore(), config.tlsKeystorePassword()));
        }
        http.addListener(listener);

        StandaloneServerContainer container = new StandaloneServerContainer(incomingBufferSize(config));
        WebappContext webapp = new WebappContext("switchboard", "");
        webapp.setAttribute(ServerContainer.class.getName(), container);
        webapp.setAttribute(SwitchboardDeployment.APPLICATION_ATTRIBUTE, application);
        webapp.addListener(SwitchboardDeployment.class);
        webapp.addServlet("pages", pages.isEmpty()
                ? StaticFilesServlet.fromClasspath(SwitchboardServer.class.getClassLoader(), CLASSPATH_WEBAPP)
                : StaticFilesServlet.fromDirectories(pages)).addMapping("/");
        webapp.deploy(http);
        if (webapp.getServletRegistration("health") == null) {
            http.shutdownNow(); // the deployment failed and Grizzly only logged it
            application.shutdown(java.time.Duration.ZERO);
            timer.shutdownNow();
            throw new IllegalStateException("Switchboard did not start; see the log above");
        }
        // RFC 9112 request checks and handshake-timeout, in front of the HTTP codec
        listener.registerAddOn(requestGuard.addOn());
        // the upgrade, then each WebSocket's reads straight to Tyrus past the HTTP codec, through the frame guard
        listener.registerAddOn(UpgradedConnections.addOn(container, StandaloneServerContainer.ROOT,
                WebSocketFrameGuard.of(config, timer)));
        try {
            http.start();
            container.start(StandaloneServerContainer.ROOT, listener.getPort());
        } catch (IOException e) {
            http.shutdownNow();
            timer.shutdownNow();
            throw new UncheckedIOException("Cannot listen on " + config.host() + ":" + config.port(), e);
        } catch (DeploymentException e) {
            http.shutdownNow();
            timer.shutdownNow();
            throw new IllegalStateException("Cannot deploy the WebSocket endpoints", e);
        }
        if (config.xmppTcpPort() > 0) {
            try {
                xmppTcp.set(new XmppTcpListener(XmppTcpListener.Settings.from(config), application.xmppService()::stream,
                        application.metrics().endpoint("xmpp-tcp"), application.connections()::count).start());
            } catch (IOException | RuntimeException e) {
                http.shutdownNow();
                application.shutdown(java.time.Duration.ZERO);
                timer.shutdownNow();
                throw new UncheckedIOException("Cannot listen for XMPP on " + config.host() + ":" + config.xmppTcpPort(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        }
        application.started(); // health/ready: READY from here
        return new SwitchboardServer(http, container, webapp, listener, timer, xmppTcp.get());
    }

    private static void logConnectionLimit(SwitchboardConfig config, DescriptorBudget budget) {
        if (budget.lowered(config.maxConnections())) {
            LOG.log(Level.WARNING, "max-connections lowered from {0} to {1}: the process may open {2} file descriptors,"
                            + " of which {3} are kept for files, the store and outgoing sockets and {4} for HTTP beyond the limit"
                            + " (raise ulimit -n / LimitNOFILE for more)",
                    new Object[] {config.maxConnections(), budget.maxConnections(), budget.descriptorLimit(), budget.reserve(),
                            DescriptorBudget.HTTP_HEADROOM});
        } else {
            LOG.log(Level.INFO, "max-connections {0} (file descriptor limit {1})",
                    new Object[] {budget.maxConnections(), budget.descriptorLimit()});
        }
    }

    /** The knobs the standalone launcher owns: selector and worker threads, and who runs handlers. */
    static void tune(TCPNIOTransport transport, SwitchboardConfig config) {
        transport.setIOStrategy(config.workersRunHandlers() ? WorkerThreadIOStrategy.getInstance() : SameThreadIOStrategy.getInstance());
        if (config.selectorThreads() > 0) {
            transport.setSelectorRunnersCount(config.selectorThreads());
        }
        if (config.workerThreads() > 0) {
            transport.setWorkerThreadPoolConfig(ThreadPoolConfig.defaultConfig()
                    .setCorePoolSize(config.workerThreads()).setMaxPoolSize(config.workerThreads())
                    .setPoolName("switchboard-worker"));
        }
    }

    /**
     * Tyrus buffers a whole frame before it can judge its size and fails a frame beyond this buffer
     * with 1011; the buffer is kept well above {@code max-message-bytes} so that oversized messages
     * get the contract's 1009 from the message-size check instead.
     */
    static int incomingBufferSize(SwitchboardConfig config) {
        long wanted = Math.max(4L << 20, 2L * Switchboard.largestMessage(config) + 64 * 1024);
        return (int) Math.min(Integer.MAX_VALUE - 8, wanted);
    }

    public int port() {
        return listener.getPort();
    }

    public String host() {
        return listener.getHost();
    }

    /** The XMPP client-stream port ({@code xmpp.tcp-port}), or 0 when it is off. */
    public int xmppTcpPort() {
        return xmppTcp == null ? 0 : xmppTcp.port();
    }

    /** The application's base URL, e.g. {@code http://127.0.0.1:8080/}. */
    public URI baseUri() {
        String host = host().contains(":") ? "[" + host() + "]" : host();
        if (host.equals("0.0.0.0")) {
            host = "localhost";
        }
        return URI.create((secure ? "https://" : "http://") + host + ":" + port() + "/");
    }

    public Switchboard application() {
        return (Switchboard) webapp.getAttribute(SwitchboardDeployment.APPLICATION_ATTRIBUTE);
    }

    /**
     * Shuts down in the order a load balancer needs: {@link #drain()}, then stops listening, then
     * removes the application — so {@code health} answers 503 DOWN, never 404, until the port closes.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        drain();
        if (xmppTcp != null) {
            xmppTcp.close(); // drain() ended each stream with system-shutdown; this waits for the sockets
        }
        try {
            http.shutdown(2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "graceful HTTP shutdown did not finish", e);
            http.shutdownNow();
        }
        container.stop();
        webapp.undeploy(); // its SwitchboardDeployment finds the application already shut down
        timer.shutdownNow();
    }

    /**
     * The first step of {@link #close()}: marks the application as shutting down — {@code health}
     * answers 503 DOWN and new handshakes 503 while HTTP is still served — and closes every WebSocket
     * with 1001, waiting up to {@link #SHUTDOWN_GRACE} for them.
     */
    void drain() {
        application().shutdown(SHUTDOWN_GRACE);
    }
}
