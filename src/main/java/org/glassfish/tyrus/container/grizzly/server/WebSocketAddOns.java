package org.glassfish.tyrus.container.grizzly.server;

import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.grizzly.http.server.AddOn;

/**
 * Standalone mode only (kept out of the WAR). Tyrus 2.1 keeps {@link WebSocketAddOn}'s constructor
 * package-private (2.2 made it public); this factory lets Switchboard's launcher put Tyrus's upgrade
 * filter on a Grizzly listener it owns, bound to the configured host.
 */
public final class WebSocketAddOns {

    private WebSocketAddOns() {
    }

    public static AddOn forContainer(ServerContainer container, String contextPath) {
        return new WebSocketAddOn(container, contextPath);
    }
}
