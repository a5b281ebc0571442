package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * xmpp.html (Strophe.js over the {@code xmpp} endpoint) in two Chromium pages, security off (any
 * name, any password): they see each other in the roster and each other's presence change, chat
 * one to one, and share room {@code lobby} with a JSON chat page (chat.html) in both directions.
 */
class XmppPageTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RunningServer server;
    private static Browser alice;
    private static Browser bob;
    private static Browser carol;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        alice = Browser.start();
        bob = Browser.start();
        carol = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, alice, bob, carol);
    }

    private static void logIn(Browser browser, String name) {
        WebDriver driver = browser.driver();
        driver.get(server.http("xmpp.html").toString());
        driver.findElement(By.id("jid")).sendKeys(name + "@localhost");
        driver.findElement(By.id("password")).sendKeys("anything", Keys.ENTER);
        browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
    }

    /** The roster line saying a contact's presence ("Available", "Away — making tea", …), or "" while absent. */
    private static String presenceOf(Browser browser, String jid) {
        return browser.driver().findElements(By.cssSelector("#roster li[data-jid='" + jid + "'] .presence")).stream()
                .map(WebElement::getText).findFirst().orElse("");
    }

    private static void waitForPresence(Browser browser, String jid, String text) {
        browser.waitUpTo(WAIT).ignoring(StaleElementReferenceException.class)
                .until(d -> presenceOf(browser, jid).equals(text));
    }

    private static void waitForText(Browser browser, By where, String text) {
        browser.waitUpTo(WAIT).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBePresentInElementLocated(where, text));
    }

    private static By chatWith(String jid) {
        return By.cssSelector("#conversations section[data-jid='" + jid + "'] .messages");
    }

    private static By room(String name) {
        return By.cssSelector("#conversations section[data-room='" + name + "'] .messages");
    }

    private static By occupant(String room, String nick) {
        return By.cssSelector("#conversations section[data-room='" + room + "'] .occupants li[data-nick='" + nick + "']");
    }

    private static void say(Browser browser, String text) {
        WebElement field = browser.driver().findElement(By.id("text"));
        browser.waitUpTo(WAIT).until(d -> field.isEnabled());
        field.sendKeys(text, Keys.ENTER);
    }

    private static void joinRoom(Browser browser, String name) {
        WebElement field = browser.driver().findElement(By.id("room-name"));
        field.clear();
        field.sendKeys(name, Keys.ENTER);
    }

    @Test
    void twoPagesSeeEachOthersPresenceChatAndShareARoomWithTheJsonChat() throws Exception {
        logIn(alice, "alice");
        logIn(bob, "bob");

        // the roster is everyone else, with their presence (in words, not colour alone)
        waitForPresence(alice, "bob@localhost", "Available");
        waitForPresence(bob, "alice@localhost", "Available");

        // alice goes away with a status; bob's roster says so
        new Select(alice.driver().findElement(By.id("show"))).selectByVisibleText("Away");
        WebElement status = alice.driver().findElement(By.id("status"));
        status.sendKeys("making tea");
        alice.driver().findElement(By.id("update-status")).click();
        waitForPresence(bob, "alice@localhost", "Away — making tea");
        waitForText(bob, By.id("log"), "alice@localhost: Away — making tea");

        // one to one: alice picks bob in her roster; bob's page opens alice's conversation itself
        alice.driver().findElement(By.cssSelector("#roster button[data-jid='bob@localhost']")).click();
        String hostile = "<img src=x onerror=alert(1)> hello bob";
        say(alice, hostile);
        waitForText(bob, chatWith("alice@localhost"), hostile);
        assertTrue(bob.driver().findElements(By.cssSelector("#conversations img")).isEmpty(),
                "no element was made from the text");
        assertEquals("true", bob.driver().findElement(By.cssSelector("#tabs [role=tab][data-key='alice@localhost']"))
                .getAttribute("aria-selected"), "the first conversation is the one shown");
        say(bob, "hello alice");
        waitForText(alice, chatWith("bob@localhost"), "hello alice");

        // alice is back: bob sees it
        new Select(alice.driver().findElement(By.id("show"))).selectByVisibleText("Available");
        alice.driver().findElement(By.id("status")).clear();
        alice.driver().findElement(By.id("update-status")).click();
        waitForPresence(bob, "alice@localhost", "Available");

        // both join lobby; a JSON member there sees them, and they see it
        joinRoom(alice, "lobby");
        joinRoom(bob, "lobby");
        alice.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(occupant("lobby", "bob")));
        joinJsonChat(carol, "carol", "lobby");
        carol.waitUpTo(WAIT).until(d -> !d.findElements(By.cssSelector("#members button[data-nick='alice']")).isEmpty()
                && !d.findElements(By.cssSelector("#members button[data-nick='bob']")).isEmpty());
        alice.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(occupant("lobby", "carol")));

        say(alice, "hello lobby from xmpp");
        waitForText(carol, By.id("messages"), "hello lobby from xmpp");
        waitForText(bob, room("lobby"), "hello lobby from xmpp");
        waitForText(alice, room("lobby"), "hello lobby from xmpp");

        carol.driver().findElement(By.id("text")).sendKeys("hello xmpp from json", Keys.ENTER);
        waitForText(alice, room("lobby"), "hello xmpp from json");
        waitForText(bob, room("lobby"), "hello xmpp from json");

        // typing hints (XEP-0085 composing) both ways
        alice.driver().findElement(By.id("text")).sendKeys("thinking");
        carol.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("typing"), "alice is typing…"));
        // chat.js sends a hint at most every 2 s, and carol just sent one: she keeps typing until it shows
        alice.waitUpTo(WAIT).until(d -> {
            carol.driver().findElement(By.id("text")).sendKeys(".");
            return d.findElement(By.id("typing")).getText().equals("carol is typing…");
        });
        alice.driver().findElement(By.id("text")).clear();

        bob.screenshot("xmpp-bob-1280");
        carol.screenshot("xmpp-json-carol-1280");
        // the connected page: axe-clean in light and dark, at 1280, 400 and 360 px, photographed each way
        Looks.check(alice, "xmpp-alice");
        bob.driver().findElement(By.cssSelector("#tabs [role=tab][data-key='alice@localhost']")).click();
        Looks.check(bob, "xmpp-bob-1to1");
    }

    @Test
    void refusalsAreSaidInPlainWords() throws Exception {
        Browser dave = alice;
        logIn(dave, "dave");
        logIn(bob, "erin");

        // a message to someone offline: service-unavailable
        WebElement talkTo = dave.driver().findElement(By.id("talk-to"));
        talkTo.sendKeys("nobody@localhost", Keys.ENTER);
        say(dave, "anyone there?");
        waitForText(dave, chatWith("nobody@localhost"), "nobody is offline");

        // a nick already in the room: 409 conflict
        joinRoom(dave, "tea-room");
        dave.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(occupant("tea-room", "dave")));
        WebElement nick = bob.driver().findElement(By.id("room-nick"));
        nick.clear();
        nick.sendKeys("dave");
        joinRoom(bob, "tea-room");
        waitForText(bob, room("tea-room"), "that nick is taken in tea-room");
        bob.screenshot("xmpp-nick-taken-1280");
    }

    @Test
    void aDropIsRetriedAndTheRoomsRejoinedButAPolicyViolationIsNot() throws Exception {
        logIn(alice, "fay");
        joinRoom(alice, "drop-room");
        alice.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(occupant("drop-room", "fay")));

        // the server restarts its side of every connection (1012 "service restart"): a drop
        server.server().application().connections().closeAll(1012, "restarting");
        waitForText(alice, By.id("log"), "Reconnecting in");
        alice.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
        waitForText(alice, room("drop-room"), "Back in drop-room as fay.");
        alice.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(occupant("drop-room", "fay")));
        say(alice, "still here");
        waitForText(alice, room("drop-room"), "still here");

        // a stanza over xmpp.max-stanza-bytes: the server ends the session (Chromium compresses it,
        // so it is closed with 1009 as it inflates past the limit), and the page says so and stays
        // disconnected (the same attempt would meet the same answer)
        ((JavascriptExecutor) alice.driver()).executeScript(
                "document.getElementById('text').value = 'x'.repeat(300 * 1024);"
                        + "document.getElementById('send').click();");
        waitForText(alice, By.id("login-error"), "Refused: the server ended the session for breaking one of its limits");
        assertEquals("REFUSED", alice.driver().findElement(By.id("state")).getText());
        alice.screenshot("xmpp-policy-violation-1280");
        // and a person can connect again, back in the room
        alice.driver().findElement(By.id("connect")).click();
        alice.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
        alice.waitUpTo(WAIT).until(ExpectedConditions.presenceOfElementLocated(occupant("drop-room", "fay")));
    }

    @Test
    void answersTheServersPingsSoAQuietSessionStays() throws Exception {
        // the server pings a session quiet for 200 ms and ends one silent for 1 s (XEP-0199)
        try (RunningServer pinging = RunningServer.start(Map.of("keepalive-interval", "200ms", "idle-timeout", "1s"));
             Browser browser = Browser.start()) {
            WebDriver driver = browser.driver();
            driver.get(pinging.http("xmpp.html").toString());
            driver.findElement(By.id("jid")).sendKeys("gus@localhost", Keys.ENTER);
            browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
            driver.findElement(By.id("raw")).click();
            browser.waitUpTo(WAIT).until(d -> ((Number) ((JavascriptExecutor) d).executeScript(
                    "return [...document.querySelectorAll('#log li.log-raw-in')]"
                            + ".filter(li => li.textContent.includes('urn:xmpp:ping')).length;")).intValue() >= 3);
            assertEquals("CONNECTED", driver.findElement(By.id("state")).getText());
            // answered as XEP-0199 §4.2 asks (a result with the ping's id), not with Strophe's service-unavailable
            assertTrue(((Number) ((JavascriptExecutor) driver).executeScript(
                    "return [...document.querySelectorAll('#log li.log-raw-out')].map(li => li.textContent)"
                            + ".filter(t => t.includes('result') && t.includes('ping-')).length;")).intValue() >= 2);
            String log = driver.findElement(By.id("log")).getText();
            assertTrue(!log.contains("service-unavailable"), log);
            assertTrue(!log.contains("Connection lost") && !log.contains("Reconnect"), log);
        }
    }

    @Test
    void withSecurityOnTheJidIsTheLoginAWrongPasswordIsRefusedAndNotRetried() throws Exception {
        try (RunningServer secured = RunningServer.start(Map.of("security", "on",
                "security.users", "bob:{noop}pw:user"));
             Browser browser = Browser.start()) {
            browser.logIn(secured, "bob", "pw", "xmpp.html");
            WebDriver driver = browser.driver();
            browser.waitUpTo(WAIT).until(d -> "bob@localhost".equals(d.findElement(By.id("jid")).getDomProperty("value")));
            waitForText(browser, By.id("session"), "Logged in as bob");

            driver.findElement(By.id("password")).sendKeys("wrong", Keys.ENTER);
            waitForText(browser, By.id("login-error"), "wrong name or password");
            assertEquals("REFUSED", driver.findElement(By.id("state")).getText());
            assertTrue(driver.findElement(By.id("login-view")).isDisplayed());
            browser.screenshot("xmpp-wrong-password-1280");

            WebElement password = driver.findElement(By.id("password"));
            password.clear();
            password.sendKeys("pw", Keys.ENTER);
            browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
            assertEquals("", driver.findElement(By.id("login-error")).getText());
            // bob's entry is no SCRAM secret: Strophe's SCRAM-SHA-256 is refused, and the page tries PLAIN
            assertTrue(driver.findElement(By.id("log")).getText().contains("trying PLAIN"));
            assertTrue(!driver.findElement(By.id("log")).getText().contains("Reconnecting"),
                    "a refused login is never retried by itself");
            WebElement nick = driver.findElement(By.id("room-nick"));
            assertEquals("bob", nick.getDomProperty("value"));
            assertEquals("true", nick.getDomProperty("readOnly"), "the nick is the user's name");
        }
    }

    private static void joinJsonChat(Browser browser, String nick, String roomName) {
        WebDriver driver = browser.driver();
        driver.get(server.http("chat.html?room=" + roomName).toString());
        driver.findElement(By.id("nick")).sendKeys(nick, Keys.ENTER);
        browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }
}
