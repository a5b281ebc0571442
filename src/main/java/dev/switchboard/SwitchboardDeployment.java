package dev.switchboard;

import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.admin.ConnectionsServlet;
import dev.switchboard.ops.HealthProbesServlet;
import dev.switchboard.ops.HealthServlet;
import dev.switchboard.ops.MetricsServlet;
import dev.switchboard.overhead.OverheadStatsServlet;
import dev.switchboard.overhead.PollServlet;
import dev.switchboard.security.ForwardedRequestFilter;
import dev.switchboard.security.HostCheckFilter;
import dev.switchboard.security.AccessServlet;
import dev.switchboard.security.LoginServlet;
import dev.switchboard.security.OperatorOnlyFilter;
import dev.switchboard.security.SecurityHeadersFilter;
import dev.switchboard.stomp.StompStatsServlet;
import dev.switchboard.transport.Container;
import dev.switchboard.transport.PortableHandshake;
import dev.switchboard.vnc.VncTargetsServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts Switchboard inside a servlet context: the application server's for the WAR, the
 * standalone launcher's otherwise. Registers every WebSocket endpoint with the context's
 * {@link ServerContainer} and the HTTP resources with the context, and closes all on undeploy.
 */
@WebListener
public final class SwitchboardDeployment implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(SwitchboardDeployment.class.getName());

    public static final String APPLICATION_ATTRIBUTE = Switchboard.class.getName();
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Switchboard app;
        boolean ours = false;
        try {
            // the standalone launcher builds the application itself, so configuration errors reach it directly
            Object given = context.getAttribute(APPLICATION_ATTRIBUTE);
            ours = !(given instanceof Switchboard);
            app = given instanceof Switchboard s ? s : new Switchboard(SwitchboardConfig.fromEnvironment(), managedExecutor());
        } catch (ConfigException e) {
            LOG.log(Level.SEVERE, e.getMessage());
            throw e;
        }
        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("No jakarta.websocket.server.ServerContainer in this servlet context");
        }
        try {
            app.deployTo(container);
        } catch (DeploymentException e) {
            throw new IllegalStateException("Cannot deploy Switchboard's WebSocket endpoints", e);
        }
        // first: everything after it sees the client a trusted proxy names (address, scheme, Host)
        context.addFilter("trusted-proxies", new ForwardedRequestFilter(app.guard().trustedProxies()))
                .addMappingForUrlPatterns(null, false, "/*");
        context.addFilter("security-headers", new SecurityHeadersFilter()).addMappingForUrlPatterns(null, false, "/*");
        if (!Container.tyrus()) {
            // in front of the container's upgrade: a refused handshake's HTTP status, the client's address
            context.addFilter("portable-handshake", new PortableHandshake()).addMappingForUrlPatterns(null, false, "/*");
        }
        // after the security headers (isMatchAfter): their refusals must carry them too
        context.addFilter("host-check", new HostCheckFilter(app.serverNames())).addMappingForUrlPatterns(null, true, "/*");
        context.addFilter("operators-only", new OperatorOnlyFilter(app.security()))
                .addMappingForUrlPatterns(null, true, "/metrics", "/stomp-stats", "/admin/*");
        context.addServlet("login", new LoginServlet(app.security())).addMapping("/login", "/logout");
        context.addServlet("access", new AccessServlet(app.security(), app.guard(), Switchboard.ENDPOINT_ACCESS, app.config().xmppDomain()))
                .addMapping("/access");
        context.addServlet("health", new HealthServlet(app.metrics(), app.connections()::count, app::isShuttingDown,
                app.stompBroker().core()::storeProblem, app::clusterStatus))
                .addMapping("/health");
        context.addServlet("health-probes", new HealthProbesServlet(app::notReady)).addMapping("/health/live", "/health/ready");
        context.addServlet("admin-connections", new ConnectionsServlet(app.connectionDirectory(), app.security().isOn(),
                app.origins())).addMapping("/admin/connections", "/admin/connections/*");
        context.addServlet("metrics", new MetricsServlet(app.metrics())).addMapping("/metrics");
        context.addServlet("stomp-stats", new StompStatsServlet(app.stompBroker(), app.config().stompStoreSync())).addMapping("/stomp-stats");
        context.addServlet("vnc-targets", new VncTargetsServlet(app.vncGateway().targets())).addMapping("/vnc-targets");
        context.addServlet("overhead-poll", new PollServlet(app.tickerFeed())).addMapping("/overhead/poll");
        context.addServlet("overhead-stats", new OverheadStatsServlet(app.tickerFeed())).addMapping("/overhead/stats");
        context.setAttribute(APPLICATION_ATTRIBUTE, app);
        if (ours) {
            app.started(); // in a server the endpoints are in place now; standalone, the launcher says so once it listens
        }
        LOG.log(Level.INFO, "Switchboard deployed at {0}/", context.getContextPath());
    }

    /**
     * The server's default managed executor (Jakarta Concurrency), which fan-out and departures run
     * on inside an application server; null, and a pool of our own, where there is none.
     */
    private static Executor managedExecutor() {
        try {
            Object found = new InitialContext().lookup("java:comp/DefaultManagedExecutorService");
            return found instanceof Executor executor ? executor : null;
        } catch (NamingException | RuntimeException e) {
            LOG.log(Level.INFO, "No managed executor (java:comp/DefaultManagedExecutorService): using a pool of our own");
            return null;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object app = event.getServletContext().getAttribute(APPLICATION_ATTRIBUTE);
        if (app instanceof Switchboard switchboard) {
            switchboard.shutdown(CLOSE_GRACE);
        }
    }
}
