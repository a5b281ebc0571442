package dev.switchboard.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.config.SwitchboardConfig;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.logging.Logger;

/**
 * This node's place in the Hazelcast data grid ({@code cluster=on}): standalone an embedded member
 * of our own, configured from {@code cluster.*}; in Payara the server's own instance. Only this
 * package touches Hazelcast, so with {@code cluster=off} none of its classes is ever loaded.
 */
public final class Grid implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Grid.class.getName());
    /**
     * Hazelcast's own log, held so its level stays: warnings and worse (its INFO lines — every
     * connection, every migration — would drown ours).
     */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    /** Where Payara binds its data grid (Payara Micro and Server alike). */
    static final String PAYARA_JNDI_NAME = "payara/Hazelcast";

    /**
     * How long a member may be silent before the others drop it. Hazelcast's default is 60 s; the
     * contract reports a dead node's chat members {@code unavailable} within 15 s.
     */
    static final int MAX_NO_HEARTBEAT_SECONDS = 10;

    /**
     * How soon after start, and how often after that, a member looks for another grid of the same
     * name to merge with after a split (paused, cut off). Hazelcast's defaults are 300 s and 120 s:
     * minutes of two Switchboards after a short network cut. In Payara: the system properties
     * {@code hazelcast.merge.first.run.delay.seconds} and {@code hazelcast.merge.next.run.delay.seconds}.
     */
    static final int MERGE_DELAY_SECONDS = 5;

    private final HazelcastInstance instance;
    private final boolean ours;

    private Grid(HazelcastInstance instance, boolean ours) {
        this.instance = instance;
        this.ours = ours;
    }

    /** Standalone: starts a member bound to {@code host} on {@code cluster.port}, joining {@code cluster.members} over TCP-IP. */
    public static Grid embedded(SwitchboardConfig config) {
        Config grid = new Config();
        grid.setClusterName(config.clusterName());
        grid.setInstanceName("switchboard-" + config.clusterPort());
        grid.setProperty("hazelcast.phone.home.enabled", "false"); // never call out of the network
        grid.setProperty("hazelcast.logging.type", "jdk");
        grid.setProperty("hazelcast.shutdownhook.enabled", "false"); // Switchboard closes it, after its sockets
        grid.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        grid.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
        grid.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_DELAY_SECONDS));
        grid.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_DELAY_SECONDS));
        NetworkConfig network = grid.getNetworkConfig();
        network.setPort(config.clusterPort()).setPortAutoIncrement(false);
        String host = config.host();
        if (!host.equals("0.0.0.0")) {
            grid.setProperty("hazelcast.socket.bind.any", "false");
            grid.setProperty("hazelcast.local.localAddress", host);
            network.getInterfaces().setEnabled(true).addInterface(host);
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(config.clusterMembers());
        HAZELCAST_LOG.setLevel(java.util.logging.Level.WARNING);
        HazelcastInstance instance = Hazelcast.newHazelcastInstance(grid);
        LOG.info(() -> "Cluster: member " + instance.getCluster().getLocalMember().getAddress() + " of \""
                + config.clusterName() + "\", " + instance.getCluster().getMembers().size() + " member(s)");
        return new Grid(instance, true);
    }

    /** In Payara: the server's own data grid (its clustering options decide the members). */
    public static Grid ofServer() {
        try {
            HazelcastInstance instance = (HazelcastInstance) new InitialContext().lookup(PAYARA_JNDI_NAME);
            LOG.info(() -> "Cluster: on the server's data grid, " + instance.getCluster().getMembers().size()
                    + " member(s)");
            return new Grid(instance, false);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("cluster=on, but this server offers no Hazelcast data grid at "
                    + PAYARA_JNDI_NAME + " (Payara does; cluster=off elsewhere)", e);
        }
    }

    HazelcastInstance instance() {
        return instance;
    }

    /** This node's id in the grid (a member's UUID), for the {@code node} metric label and health. */
    public String nodeId() {
        return instance.getCluster().getLocalMember().getUuid().toString();
    }

    /** Members of the grid now, this one included. */
    public int members() {
        return instance.getLifecycleService().isRunning() ? instance.getCluster().getMembers().size() : 0;
    }

    @Override
    public void close() {
        if (ours) {
            instance.shutdown();
        }
    }
}
