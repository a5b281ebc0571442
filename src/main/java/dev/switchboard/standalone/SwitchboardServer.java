package dev.switchboard.standalone;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardDeployment;
import dev.switchboard.config.SwitchboardConfig;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.servlet.WebappContext;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private final HttpServer http;
    private final StandaloneServerContainer container;
    private final WebappContext webapp;
    private final NetworkListener listener;
    private final boolean secure;
    private boolean stopped;

    private SwitchboardServer(HttpServer http, StandaloneServerContainer container, WebappContext webapp,
                              NetworkListener listener) {
        this.http = http;
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
        Switchboard application = new Switchboard(config); // a configuration error stops here, before any port is taken
        HttpServer http = new HttpServer();
        NetworkListener listener = new NetworkListener("switchboard", config.host(), config.port());
        tune(listener.getTransport(), config);
        listener.getKeepAlive().setIdleTimeoutInSeconds(-1); // WebSockets have their own idle timeout
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
            throw new IllegalStateException("Switchboard did not start; see the log above");
        }
        listener.registerAddOn(WebSocketAddOns.forContainer(container, StandaloneServerContainer.ROOT));
        WebSocketFrameGuard.install(listener, config); // frame-header checks Tyrus misses, in front of its filter
        try {
            http.start();
            container.start(StandaloneServerContainer.ROOT, listener.getPort());
        } catch (IOException e) {
            http.shutdownNow();
            throw new UncheckedIOException("Cannot listen on " + config.host() + ":" + config.port(), e);
        } catch (DeploymentException e) {
            http.shutdownNow();
            throw new IllegalStateException("Cannot deploy the WebSocket endpoints", e);
        }
        return new SwitchboardServer(http, container, webapp, listener);
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

    /** Closes every WebSocket with 1001, then stops listening. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        webapp.undeploy(); // SwitchboardDeployment closes the WebSockets (1001) and waits for them
        container.stop();
        try {
            http.shutdown(2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "graceful HTTP shutdown did not finish", e);
            http.shutdownNow();
        }
    }
}
