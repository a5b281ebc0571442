package dev.switchboard.transport;

/**
 * Which WebSocket implementation runs Switchboard, checked once: Tyrus (standalone, Payara,
 * GlassFish), whose classes the adapters in this package may touch, or another one (WildFly's
 * Undertow), where they must not be loaded and everything goes through the portable Jakarta
 * WebSocket and Servlet APIs.
 */
public final class Container {

    /** Whether Tyrus's classes can be loaded beside ours (a WAR in a container without Tyrus: not). */
    private static final boolean TYRUS = present("org.glassfish.tyrus.core.RequestContext")
            && present("org.glassfish.tyrus.core.HandshakeException")
            && present("org.glassfish.tyrus.spi.UpgradeResponse")
            && present("org.glassfish.tyrus.spi.Writer")
            && present("org.glassfish.tyrus.core.extension.ExtendedExtension");

    private Container() {
    }

    /** True when the WebSocket container is Tyrus. */
    public static boolean tyrus() {
        return TYRUS;
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, Container.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
