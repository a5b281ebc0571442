package dev.switchboard.transport;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the unmasking input goes, on stand-ins shaped like Tyrus's servlet container (Payara's
 * {@code TyrusServletWriter} and {@code TyrusHttpUpgradeHandler}, its proxy) and like the
 * standalone server's, which is left alone. Payara's own is PayaraDeploymentIT's.
 */
class ServletUnmaskingTest {

    /** TyrusHttpUpgradeHandler: the connection's input in {@code is}. */
    static class UpgradeHandler {
        jakarta.servlet.ServletInputStream is;
    }

    /** TyrusServletUpgrade's proxy: an upgrade handler delegating to the real one. */
    static final class ProxyUpgradeHandler extends UpgradeHandler {
        UpgradeHandler handler;
    }

    static final class ServletWriter {
        final Object tyrusHttpUpgradeHandler;

        ServletWriter(Object handler) {
            this.tyrusHttpUpgradeHandler = handler;
        }
    }

    static final class GrizzlyWriter {
        final Object connection = new Object();
    }

    static final class Protocol {
        final Object writer;

        Protocol(Object writer) {
            this.writer = writer;
        }
    }

    static final class Socket {
        private final Protocol protocol;

        Socket(Object writer) {
            this.protocol = new Protocol(writer);
        }

        Protocol getProtocolHandler() {
            return protocol;
        }
    }

    static final class Remote {
        final Socket webSocket;

        Remote(Object writer) {
            this.webSocket = new Socket(writer);
        }
    }

    static final class Session {
        private final Remote asyncRemote;

        Session(Object writer) {
            this.asyncRemote = new Remote(writer);
        }
    }

    private static UnmaskingInputTest.Arrivals input() {
        return new UnmaskingInputTest.Arrivals(List.of());
    }

    @Test
    void tyrusServletReaderGetsTheUnmaskingInput() {
        UpgradeHandler handler = new UpgradeHandler();
        UnmaskingInputTest.Arrivals container = input();
        handler.is = container;
        long before = ServletUnmasking.unmasked();
        assertTrue(ServletUnmasking.unmask(new Session(new ServletWriter(handler))));
        assertInstanceOf(UnmaskingInput.class, handler.is);
        assertTrue(ServletUnmasking.unmasked() > before);
        jakarta.servlet.ServletInputStream once = handler.is;
        assertTrue(ServletUnmasking.unmask(new Session(new ServletWriter(handler))), "twice: still the one");
        assertSame(once, handler.is);
    }

    @Test
    void throughTyrusProxyTheRealReaderGetsIt() {
        UpgradeHandler real = new UpgradeHandler();
        real.is = input();
        ProxyUpgradeHandler proxy = new ProxyUpgradeHandler();
        proxy.handler = real;
        assertTrue(ServletUnmasking.unmask(new Session(new ServletWriter(proxy))));
        assertInstanceOf(UnmaskingInput.class, real.is);
        assertNull(proxy.is);
    }

    @Test
    void theStandaloneServerAndOtherContainersAreLeftAlone() {
        assertFalse(ServletUnmasking.unmask(new Session(new GrizzlyWriter())));
        assertFalse(ServletUnmasking.unmask(new Object()));
        assertFalse(ServletUnmasking.unmask(null, false));
    }

    @Test
    void aReaderWithoutItsInputYetIsLeftAlone() {
        assertFalse(ServletUnmasking.unmask(new Session(new ServletWriter(new UpgradeHandler()))));
    }
}
