package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The STOMP pages with security on (issue 16, item 2): not logged in, each says "log in" (a link
 * to the login page that comes back) and never retries a refusal; a user who is not an operator
 * is told the monitor is for operators; a refused destination says "not allowed"; every page
 * shows who is logged in. The operator's monitor lists the sessions (with their users) and consumers.
 */
class StompSecurityPagesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RunningServer server;
    private static Browser page;
    private static Browser operator;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(Map.of("security", "on",
                "security.users", "bob:{noop}pw:user,olga:{noop}op:operator|user",
                "security.rules", "stomp.subscribe:/topic/ops=operator;stomp.subscribe:**=*"));
        page = Browser.start();
        operator = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, page, operator);
    }

    private static WebElement field(Browser browser, String id) {
        return browser.driver().findElement(By.id(id));
    }

    private static void waitUntil(Browser browser, Function<WebDriver, Boolean> condition) {
        browser.waitUpTo(WAIT).withMessage(() -> "state=" + field(browser, "state").getText() + " | page: "
                + ((JavascriptExecutor) browser.driver()).executeScript("return document.body.innerText;")).until(condition);
    }

    @Test
    void notLoggedInEveryStompPageSaysLogInAndNeverRetriesARefusal() throws Exception {
        page.driver().manage().deleteAllCookies();
        // the monitor: its stomp-stats 401 is "log in", not CONNECTING or OFFLINE
        page.driver().get(server.http("monitor.html").toString());
        waitUntil(page, d -> "LOG IN".equals(field(page, "state").getText()));
        WebElement link = page.driver().findElement(By.cssSelector("#access a"));
        assertEquals("log in", link.getText());
        assertTrue(link.getAttribute("href").endsWith("login.html?next=monitor.html"), link.getAttribute("href"));
        waitUntil(page, d -> field(page, "session").getAttribute("textContent").equals("Not logged in · Log in"));
        PageChecks.photographAndCheck(page, "stomp-monitor-log-in");
        NarrowScreen.photographAndCheck(page, "stomp-monitor-log-in");

        // the console: CONNECT without a login is "login failed", a refusal: said, with what to do, no retry
        page.driver().get(server.http("stomp.html").toString());
        waitUntil(page, d -> field(page, "session").getAttribute("textContent").equals("Not logged in · Log in"));
        field(page, "connect").click();
        waitUntil(page, d -> field(page, "stomp-error").isDisplayed() && "CLOSED".equals(field(page, "state").getText()));
        assertEquals("login failed", field(page, "stomp-error-message").getText());
        assertTrue(field(page, "stomp-error-advice").getText().contains("enter your Login and Passcode"),
                field(page, "stomp-error-advice").getText());
        assertTrue(field(page, "stomp-error-cause").getText().startsWith("CONNECT"), field(page, "stomp-error-cause").getText());
        assertTrue(page.driver().findElement(By.cssSelector("#stomp-error-advice a")).getAttribute("href")
                .endsWith("login.html?next=stomp.html"));
        assertTrue(field(page, "connection-info").getText().contains("Not reconnecting"), field(page, "connection-info").getText());
        PageChecks.photographAndCheck(page, "stomp-console-login-failed");
        NarrowScreen.photographAndCheck(page, "stomp-console-login-failed");

        // with the console's own login fields it connects
        field(page, "login").sendKeys("bob");
        field(page, "passcode").sendKeys("pw");
        field(page, "connect").click();
        waitUntil(page, d -> "OPEN".equals(field(page, "state").getText()));
        assertFalse(page.driver().findElement(By.id("frames")).getText().contains("passcode:pw"), "the passcode is not shown");
        field(page, "disconnect").click();

        // the game: refused, told to log in
        page.driver().get(server.http("game.html?me=ann&opponent=ben").toString());
        field(page, "opponent").sendKeys(Keys.ENTER);
        waitUntil(page, d -> field(page, "connection").isDisplayed() && "CLOSED".equals(field(page, "state").getText()));
        assertTrue(field(page, "connection").getText().contains("log in first"), field(page, "connection").getText());
        assertTrue(page.driver().findElement(By.cssSelector("#connection a")).getAttribute("href")
                .contains("login.html?next=game.html"));
        PageChecks.photographAndCheck(page, "game-log-in");
        NarrowScreen.photographAndCheck(page, "game-log-in");
    }

    @Test
    void aUserIsToldWhatIsNotAllowedAndTheOperatorSeesTheSessionsAndConsumers() throws Exception {
        page.driver().manage().deleteAllCookies();
        page.logIn(server, "bob", "pw", "monitor.html");
        waitUntil(page, d -> "NOT ALLOWED".equals(field(page, "state").getText()));
        assertTrue(field(page, "access").getText().startsWith("Operators only"), field(page, "access").getText());
        waitUntil(page, d -> field(page, "session").getAttribute("textContent").startsWith("Logged in as bob"));
        PageChecks.photographAndCheck(page, "stomp-monitor-operators-only");

        // the console as bob: the handshake carries the user, no login needed
        page.driver().get(server.http("stomp.html").toString());
        waitUntil(page, d -> field(page, "session").getAttribute("textContent").startsWith("Logged in as bob"));
        field(page, "client-id").sendKeys("bobs-desk");
        field(page, "connect").click();
        waitUntil(page, d -> "OPEN".equals(field(page, "state").getText()));
        field(page, "sub-destination").clear();
        field(page, "sub-destination").sendKeys("/topic/news");
        field(page, "subscribe").click();
        waitUntil(page, d -> field(page, "subscriptions").getText().contains("/topic/news"));

        // the operator's monitor lists bob's session and his consumer
        operator.logIn(server, "olga", "op", "monitor.html");
        waitUntil(operator, d -> "LIVE".equals(field(operator, "state").getText())
                && rows(operator, "session-list").stream().anyMatch(r -> r.get(1).equals("bob"))
                && rows(operator, "consumers").stream().anyMatch(r -> r.get(0).equals("/topic/news")));
        List<String> session = rows(operator, "session-list").stream().filter(r -> r.get(1).equals("bob")).findFirst().orElseThrow();
        assertEquals(List.of("bob", "bobs-desk", "1.2", "1"), session.subList(1, 5), session.toString());
        List<String> consumer = rows(operator, "consumers").stream().filter(r -> r.get(0).equals("/topic/news")).findFirst().orElseThrow();
        assertEquals(session.get(0), consumer.get(1), "the consumer's session: " + consumer);
        waitUntil(operator, d -> field(operator, "session").getAttribute("textContent").startsWith("Logged in as olga"));
        PageChecks.photographAndCheck(operator, "stomp-monitor-sessions");
        NarrowScreen.photographAndCheck(operator, "stomp-monitor-sessions", "sessions-section");

        // bob subscribes where only operators may: "not allowed", no retry
        field(page, "sub-destination").clear();
        field(page, "sub-destination").sendKeys("/topic/ops");
        field(page, "subscribe").click();
        waitUntil(page, d -> field(page, "stomp-error").isDisplayed() && "CLOSED".equals(field(page, "state").getText()));
        assertEquals("not allowed to subscribe to /topic/ops", field(page, "stomp-error-message").getText());
        assertTrue(field(page, "stomp-error-advice").getText().startsWith("You are not allowed to do that as bob"),
                field(page, "stomp-error-advice").getText());
        assertTrue(field(page, "connection-info").getText().contains("Not reconnecting"));
        PageChecks.photographAndCheck(page, "stomp-console-not-allowed");
    }

    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(Browser browser, String table) {
        return (List<List<String>>) ((JavascriptExecutor) browser.driver()).executeScript(
                "return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')].map(r => [...r.cells].map(c => c.textContent));",
                table);
    }
}
