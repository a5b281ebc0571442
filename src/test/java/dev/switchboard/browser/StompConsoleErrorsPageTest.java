package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stomp.html off the happy path (issue 16, item 1): a typo in a destination is caught before
 * anything is sent; an ERROR stays until dismissed, names the frame it answered and is never
 * followed by an automatic reconnect that would send that frame again; Disconnect stops a retry.
 */
class StompConsoleErrorsPageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** How long a page that loops would take at most to try again (the old loop: about 0.5 s). */
    private static final long QUIET_MS = 2000;
    private static RunningServer server;
    private static Browser page;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        page = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, page);
    }

    private static WebDriver driver() {
        return page.driver();
    }

    private static JavascriptExecutor js() {
        return page.driver();
    }

    private static WebElement field(String id) {
        return driver().findElement(By.id(id));
    }

    private static void waitUntil(Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> "state=" + field("state").getText() + " | info=" + field("connection-info").getText())
                .until(condition);
    }

    /** Counts the WebSockets the page opens from now on (window.__sockets). */
    private static void countSockets() {
        js().executeScript("if (!window.__countedWebSocket) {"
                + "  window.__countedWebSocket = window.WebSocket; window.__sockets = 0;"
                + "  window.WebSocket = class extends window.__countedWebSocket {"
                + "    constructor(url, protocols) { super(url, protocols); window.__sockets += 1; } };"
                + "}");
    }

    private static long sockets() {
        return ((Number) js().executeScript("return window.__sockets;")).longValue();
    }

    /** True when the page opens no new WebSocket within QUIET_MS (answers as soon as one is opened). */
    private static boolean opensNoSocketFor(long ms) {
        return (Boolean) js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const before = window.__sockets; const end = Date.now() + arguments[0];"
                + "const check = () => { if (window.__sockets !== before) done(false);"
                + "  else if (Date.now() >= end) done(true); else setTimeout(check, 50); };"
                + "check();", ms);
    }

    private static void connect() {
        field("connect").click();
        waitUntil(d -> "OPEN".equals(field("state").getText()));
    }

    private static void type(String id, String text) {
        field(id).clear();
        field(id).sendKeys(text);
    }

    @BeforeEach
    void load() {
        driver().get(server.http("stomp.html").toString());
        countSockets();
    }

    @Test
    void aTypoInADestinationIsCaughtBeforeAnythingIsSent() throws Exception {
        connect();
        type("sub-destination", "/topc/typo");
        field("subscribe").click();
        WebElement error = field("sub-destination-error");
        assertTrue(error.isDisplayed(), "the destination field says what is wrong");
        assertTrue(error.getText().contains("/topc/typo") && error.getText().contains("did you mean /topic/typo"), error.getText());
        assertEquals("true", field("sub-destination").getAttribute("aria-invalid"));
        assertFalse(field("frames").getText().contains("SUBSCRIBE"), "no SUBSCRIBE was sent");

        type("send-destination", "queue/orders");
        field("send").click();
        assertTrue(field("send-destination-error").getText().contains("did you mean /queue/orders"),
                field("send-destination-error").getText());
        assertFalse(field("frames").getText().contains("→ SEND"), "no SEND was sent");
        assertEquals("OPEN", field("state").getText(), "the connection is still there");
        PageChecks.photographAndCheck(page, "stomp-console-typo");
        NarrowScreen.photographAndCheck(page, "stomp-console-typo", "subscribe-form");

        // typing again clears the complaint; a good destination goes through
        type("sub-destination", "/topic/typo");
        assertFalse(field("sub-destination-error").isDisplayed());
        field("subscribe").click();
        waitUntil(d -> field("subscriptions").getText().contains("/topic/typo"));
        assertEquals(1, sockets());
    }

    @Test
    void anErrorStaysUntilDismissedNamesItsFrameAndIsNotRepeatedByAReconnect() throws Exception {
        connect();
        type("sub-destination", "/topic/prices");
        type("selector", "priority >"); // passes the page's own check; the broker cannot parse it
        field("subscribe").click();

        waitUntil(d -> field("stomp-error").isDisplayed());
        assertTrue(field("stomp-error-message").getText().startsWith("selector 'priority >' does not parse"),
                field("stomp-error-message").getText());
        String cause = field("stomp-error-cause").getText();
        assertTrue(cause.startsWith("SUBSCRIBE") && cause.contains("destination:/topic/prices")
                && cause.contains("selector:priority >"), "names the frame: " + cause);
        waitUntil(d -> "CLOSED".equals(field("state").getText()));
        assertTrue(field("connection-info").getText().contains("Not reconnecting"), field("connection-info").getText());
        assertTrue(field("connect").isEnabled(), "Connect is offered");
        assertFalse(field("disconnect").isEnabled(), "nothing to disconnect");
        assertTrue(opensNoSocketFor(QUIET_MS), "no automatic reconnect after an ERROR: " + sockets() + " sockets");
        assertEquals(1, sockets());
        assertTrue(field("stomp-error").isDisplayed(), "the ERROR is still shown");
        PageChecks.photographAndCheck(page, "stomp-console-error");
        NarrowScreen.photographAndCheck(page, "stomp-console-error");

        // connecting again by hand: the ERROR stays until dismissed
        field("selector").clear();
        connect();
        assertTrue(field("stomp-error").isDisplayed(), "a new connection does not hide the ERROR");
        field("dismiss-error").click();
        assertFalse(field("stomp-error").isDisplayed());

        // a SEND the broker refuses: its ERROR stays, "Connected" does not replace it
        type("send-destination", "/queue/orders");
        type("headers", "transaction:nope");
        field("send").click();
        waitUntil(d -> field("stomp-error").isDisplayed() && "CLOSED".equals(field("state").getText()));
        assertTrue(field("stomp-error-message").getText().startsWith("no transaction 'nope'"), field("stomp-error-message").getText());
        assertTrue(field("stomp-error-cause").getText().startsWith("SEND"), field("stomp-error-cause").getText());
        assertTrue(field("stomp-error-cause").getText().contains("destination:/queue/orders"), field("stomp-error-cause").getText());
        assertTrue(opensNoSocketFor(QUIET_MS), "no automatic reconnect after the SEND's ERROR");
        assertEquals(2, sockets());
        assertEquals("CLOSED", field("state").getText());
        assertTrue(field("stomp-error").isDisplayed());
    }

    @Test
    void disconnectStopsARetryThatIsUnderWay() throws Exception {
        connect();
        try (PageChecks.Hold hold = PageChecks.hold(page)) {
            server.server().application().connections().closeAll(1012, "restarting");
            waitUntil(d -> field("connection-info").getText().contains("Reconnecting in"));
            assertTrue(field("disconnect").isEnabled(), "Disconnect is offered while a retry waits");
            // the retry is made (and held, still opening): Disconnect must stop that one too
            waitUntil(d -> ((Number) js().executeScript("return window.__heldSockets.length;")).intValue() > 0
                    && "CONNECTING".equals(field("state").getText()));
            assertTrue(field("disconnect").isEnabled(), "Disconnect is offered while connecting");
            field("disconnect").click();
            waitUntil(d -> "CLOSED".equals(field("state").getText()) && "Disconnected.".equals(field("connection-info").getText()));
            hold.release();
        }
        assertTrue(opensNoSocketFor(QUIET_MS), "no reconnect after Disconnect");
        assertEquals("CLOSED", field("state").getText());
        assertEquals("Disconnected.", field("connection-info").getText());
        assertTrue(field("connect").isEnabled());
        assertFalse(field("disconnect").isEnabled());
    }
}
