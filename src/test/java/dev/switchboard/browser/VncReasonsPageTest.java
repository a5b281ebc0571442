package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.XvncServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vnc.html says why every session ended and reconnects only when that can help: after a server
 * restart it comes back by itself; after the VNC server exits it names the bridge's reason; a
 * target that never answered says so instead of "Reconnecting…" forever; an unknown target in the
 * URL is never swapped silently for another. Also: fullscreen and the extra-keys bar.
 */
class VncReasonsPageTest {

    /**
     * Counts the WebSockets a page opens and records what it sends (hex), from before its scripts
     * run; the sockets stay real WebSocket instances (noVNC checks the type of what it is given).
     */
    static final String SOCKET_COUNTER = "if (window.__sockets === undefined) {"
            + "  window.__sockets = 0; window.__sent = []; const Real = window.WebSocket; const send = Real.prototype.send;"
            + "  Real.prototype.send = function (d) {"
            + "    const b = typeof d === 'string' ? new TextEncoder().encode(d)"
            + "      : new Uint8Array(d.buffer ? d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) : d);"
            + "    window.__sent.push([...b].map(x => x.toString(16).padStart(2, '0')).join(' '));"
            + "    return send.call(this, d); };"
            + "  const Counted = function (...a) { window.__sockets += 1; return new Real(...a); };"
            + "  Counted.prototype = Real.prototype;"
            + "  Object.assign(Counted, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });"
            + "  window.WebSocket = Counted; }";


    private static final Duration WAIT = Duration.ofSeconds(20);
    private static XvncServer desk;
    private static XvncServer doomed;
    private static int deadPort;
    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        desk = XvncServer.start();
        doomed = XvncServer.start();
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort(); // closed again at once: nothing listens there
        }
        server = RunningServer.start(targets(0));
        browser = Browser.start();
    }

    private static Map<String, String> targets(int port) {
        return Map.of("port", String.valueOf(port), "vnc.targets",
                desk.target("desk") + "," + doomed.target("doomed") + ",dead=127.0.0.1:" + deadPort);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            Browser.closeAll(server, browser);
        } finally {
            desk.close();
            doomed.close();
        }
    }

    private JavascriptExecutor js() {
        return browser.driver();
    }

    private String status() {
        return MediaPages.text(browser, "status");
    }

    private void countSockets() {
        browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", SOCKET_COUNTER));
    }

    private long sockets() {
        return ((Number) js().executeScript("return window.__sockets;")).longValue();
    }

    private void openAndConnect(String target) {
        browser.driver().get(server.http("vnc.html?target=" + target + "&connect").toString());
    }

    private void awaitConnected() {
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
    }

    @Test
    void anUnknownTargetInTheUrlIsSaidAndNothingIsConnected() throws Exception {
        countSockets();
        openAndConnect("nope");
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "nope"));
        assertTrue(status().contains("There is no desktop called “nope” on this server"), status());
        assertEquals("DISCONNECTED", MediaPages.text(browser, "state"));
        assertEquals(0, sockets(), "no connection to some other desktop");
        PageChecks.photographAndCheck(browser, "vnc-unknown-target");
    }

    @Test
    void anUnreachableTargetSaysSoAndDoesNotRetryForever() throws Exception {
        countSockets();
        openAndConnect("dead");
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "unreachable"));
        assertTrue(status().startsWith("Could not connect to dead: VNC target 'dead' unreachable"), status());
        assertFalse(status().contains("Reconnecting"), status());
        assertEquals("DISCONNECTED", MediaPages.text(browser, "state"));
        assertTrue(browser.driver().findElement(By.id("connect")).isEnabled());
        assertEquals(1, sockets());
        PageChecks.photographAndCheck(browser, "vnc-unreachable");
        MediaPages.checkAt(browser, "vnc-unreachable", 400);
    }

    @Test
    void theVncServerExitingIsNamedAndRetried() throws Exception {
        openAndConnect("doomed");
        awaitConnected();
        doomed.kill();
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "doomed"));
        browser.waitUpTo(WAIT).until(d -> status().contains("Reconnecting in"));
        assertTrue(status().contains("VNC server 'doomed' closed the connection")
                || status().contains("lost the connection to VNC target 'doomed'")
                || status().contains("VNC target 'doomed' unreachable"), status());
        assertEquals("RECONNECTING", MediaPages.text(browser, "state"));
        browser.screenshot("vnc-server-exited");
        browser.driver().findElement(By.id("disconnect")).click();
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "DISCONNECTED"));
    }

    @Test
    void afterAServerRestartThePageComesBackByItself() throws Exception {
        openAndConnect("desk");
        awaitConnected();
        int port = server.port();
        server.close();
        browser.waitUpTo(WAIT).until(d -> status().contains("Reconnecting in"));
        assertTrue(status().startsWith("Lost the connection to desk ("), status());
        browser.screenshot("vnc-server-restarting");
        server = RunningServer.start(targets(port));
        awaitConnected();
        assertEquals("Connected to desk.", status());
        browser.driver().findElement(By.id("disconnect")).click();
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "DISCONNECTED"));
        assertEquals("Disconnected from desk (you disconnected).", status());
    }

    @Test
    void extraKeysReachTheDesktopAndFullscreenIsOffered() throws Exception {
        countSockets();
        openAndConnect("desk");
        awaitConnected();
        // the desktop is drawn and shown at a size one can see (noVNC scales it to the screen box)
        browser.waitUpTo(WAIT).until(d -> ((Number) js().executeScript(
                "const c = document.querySelector('#screen canvas'); return c ? c.getBoundingClientRect().height : 0;"))
                .doubleValue() > 100);
        js().executeScript("window.__sent.length = 0;");
        browser.driver().findElement(By.id("key-ctrl")).click();
        assertEquals("true", browser.driver().findElement(By.id("key-ctrl")).getAttribute("aria-pressed"));
        browser.driver().findElement(By.id("key-tab")).click();
        browser.driver().findElement(By.id("key-ctrl")).click();
        browser.driver().findElement(By.id("key-esc")).click();
        String sent = String.join(" | ", ((java.util.List<?>) js().executeScript("return window.__sent;")).stream()
                .map(String::valueOf).toList());
        // RFB KeyEvent: 4, down, padding, keysym (Control_L ffe3, Tab ff09, Escape ff1b)
        for (String key : new String[] {"04 01 00 00 00 00 ff e3", "04 01 00 00 00 00 ff 09", "04 00 00 00 00 00 ff 09",
                "04 00 00 00 00 00 ff e3", "04 01 00 00 00 00 ff 1b", "04 00 00 00 00 00 ff 1b"}) {
            assertTrue(sent.contains(key), key + " in " + sent);
        }
        assertTrue(sent.indexOf("04 01 00 00 00 00 ff e3") < sent.indexOf("04 01 00 00 00 00 ff 09"), "Ctrl held before Tab");
        assertEquals("false", browser.driver().findElement(By.id("key-ctrl")).getAttribute("aria-pressed"));
        PageChecks.photographAndCheck(browser, "vnc-extra-keys");
        MediaPages.checkAt(browser, "vnc-extra-keys", 400);
        MediaPages.checkAt(browser, "vnc-extra-keys", 360);

        browser.driver().findElement(By.id("fullscreen")).click();
        browser.waitUpTo(WAIT).until(d -> "screen-area".equals(js().executeScript(
                "return document.fullscreenElement && document.fullscreenElement.id;")));
        js().executeScript("document.exitFullscreen();");
        browser.driver().findElement(By.id("disconnect")).click();
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "DISCONNECTED"));
    }
}
