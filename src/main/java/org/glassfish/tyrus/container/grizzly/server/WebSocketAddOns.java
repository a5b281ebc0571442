package org.glassfish.tyrus.container.grizzly.server;

import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.tyrus.spi.ServerContainer;

/**
 * Standalone mode only (kept out of the WAR). Tyrus 2.1 keeps {@link GrizzlyServerFilter} and
 * {@link WebSocketAddOn}'s constructor package-private; this factory hands Switchboard's launcher
 * Tyrus's handshake-and-read filter, which {@code dev.switchboard.standalone.UpgradedConnections}
 * wraps and places on the Grizzly listener it owns.
 */
public final class WebSocketAddOns {

    private WebSocketAddOns() {
    }

    /** Tyrus's own filter: performs the upgrade, then (unless bypassed) parses frames out of HTTP content. */
    public static Filter serverFilter(ServerContainer container, String contextPath) {
        return new GrizzlyServerFilter(container, contextPath);
    }
}
