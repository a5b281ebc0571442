package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Security on, images, console, vnc and overhead as a person meets them: not logged in, each says
 * "log in" (a link that comes back here) instead of "dropped, reconnecting" forever; logged in as a
 * user who may not (bob on the operator-only console and vnc), each says "not allowed" and stops
 * trying; every page's header says who is logged in.
 */
class MediaPagesAccessPageTest {

    /**
     * Counts the WebSockets a page opens and records what it sends (hex), from before its scripts
     * run; the sockets stay real WebSocket instances (noVNC checks the type of what it is given).
     */
    private static final String SOCKET_COUNTER = "if (window.__sockets === undefined) {"
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


    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RunningServer server;
    private static Browser anonymous;
    private static Browser bob;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> keys = new HashMap<>(MediaPages.SECURITY_ON);
        keys.put("vnc.targets", "desk=127.0.0.1:9"); // never dialled: the handshake is refused first
        server = RunningServer.start(keys);
        anonymous = Browser.start();
        bob = Browser.start();
        bob.logIn(server, "bob", "pw", "index.html");
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, anonymous, bob);
    }

    /** How many WebSockets the page has opened so far (counted from before its scripts ran). */
    private static void countSockets(Browser browser) {
        browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", SOCKET_COUNTER));
    }

    private static long sockets(Browser browser) {
        return ((Number) ((JavascriptExecutor) browser.driver()).executeScript("return window.__sockets;")).longValue();
    }

    private static void assertLoginLink(Browser browser, String page) {
        WebElement link = browser.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#status a.login, #notice a.login, #ws-meta a.login")));
        assertTrue(link.getAttribute("href").endsWith("login.html?next=" + page.replace("?", "%3F").replace("=", "%3D")
                .replace("&", "%26")), link.getAttribute("href"));
        assertEquals("Log in", browser.driver().findElement(By.cssSelector("#session a")).getText());
    }

    @Test
    void imagesNotLoggedInSaysLogInAndStopsTrying() throws Exception {
        countSockets(anonymous);
        anonymous.driver().get(server.http("images.html?room=lobby").toString());
        assertLoginLink(anonymous, "images.html?room=lobby");
        assertTrue(MediaPages.text(anonymous, "status").contains("Log in to"), MediaPages.text(anonymous, "status"));
        assertEquals("REFUSED", MediaPages.text(anonymous, "state"));
        long tried = sockets(anonymous);
        assertEquals(1, tried, "one attempt, then the page knows it is refused");
        PageChecks.photographAndCheck(anonymous, "images-login");
        MediaPages.checkAt(anonymous, "images-login", 400);
    }

    @Test
    void consoleNotLoggedInSaysLogIn() throws Exception {
        anonymous.driver().get(server.http("console.html").toString());
        assertLoginLink(anonymous, "console.html");
        assertEquals("REFUSED", MediaPages.text(anonymous, "state"));
    }

    @Test
    void consoleForAUserWhoIsNoOperatorSaysNotAllowedWithAClosedBadge() throws Exception {
        countSockets(bob);
        bob.driver().get(server.http("console.html").toString());
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "not allowed"));
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "FORBIDDEN"));
        assertEquals("CLOSED", bob.driver().findElement(By.id("state")).getAttribute("data-state"));
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("session"), "Logged in as bob"));
        assertEquals(1, sockets(bob), "no retry after a refusal");
        PageChecks.photographAndCheck(bob, "console-forbidden");
    }

    @Test
    void vncForAUserWhoIsNoOperatorSaysNotAllowedAndDoesNotRetry() throws Exception {
        countSockets(bob);
        bob.driver().get(server.http("vnc.html?target=desk&connect").toString());
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "not allowed"));
        assertFalse(MediaPages.text(bob, "status").contains("Reconnecting"), MediaPages.text(bob, "status"));
        assertEquals("FORBIDDEN", MediaPages.text(bob, "state"));
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("session"), "Logged in as bob"));
        assertEquals(1, sockets(bob), "no retry after a refusal");
        assertTrue(bob.driver().findElement(By.id("connect")).isEnabled(), "Connect is offered again");
        PageChecks.photographAndCheck(bob, "vnc-forbidden");
        MediaPages.checkAt(bob, "vnc-forbidden", 400);
    }

    @Test
    void vncNotLoggedInSaysLogIn() throws Exception {
        anonymous.driver().get(server.http("vnc.html?target=desk&connect").toString());
        assertLoginLink(anonymous, "vnc.html?target=desk&connect");
        assertEquals("REFUSED", MediaPages.text(anonymous, "state"));
    }

    @Test
    void overheadShowsWhoIsLoggedInAndItsTickerSaysLogIn() throws Exception {
        bob.driver().get(server.http("overhead.html").toString());
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("session"), "Logged in as bob"));
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("ws-state"), "PUSHED"));
        anonymous.driver().get(server.http("overhead.html").toString());
        assertLoginLink(anonymous, "overhead.html");
        anonymous.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("poll-state"), "POLLING"));
        assertEquals("REFUSED", MediaPages.text(anonymous, "ws-state"));
    }

    @Test
    void imagesLoggedInShowsTheUserAndALogOutButton() {
        bob.driver().get(server.http("images.html?room=lobby").toString());
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        bob.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("session"), "Logged in as bob"));
        assertEquals("Log out", bob.driver().findElement(By.cssSelector("#session button")).getText());
    }
}
