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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** chat.html with two real Chromium sessions talking through the standalone server. */
class ChatPageTest {

    private static RunningServer server;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        alice = Browser.start();
        bob = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, alice, bob);
    }

    private static void join(Browser browser, String nick, String room) {
        WebDriver driver = browser.driver();
        driver.get(server.http("chat.html").toString());
        driver.findElement(By.id("nick")).sendKeys(nick);
        WebElement roomField = driver.findElement(By.id("room"));
        roomField.clear();
        roomField.sendKeys(room, Keys.ENTER);
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private static void waitForMessage(Browser browser, String text) {
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("messages"), text));
    }

    private static WebElement member(Browser browser, String nick) {
        return browser.driver().findElement(By.cssSelector("#members button[data-nick='" + nick + "']"));
    }

    @Test
    void twoPeopleChatPrivatelyChangePresenceAndLeave() throws Exception {
        join(alice, "alice", "garden");
        join(bob, "bob", "garden");

        // presence: each sees the other in the member list
        alice.waitUpTo(Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#members button[data-nick='bob']")).isEmpty());
        assertEquals(2, bob.driver().findElements(By.cssSelector("#members li")).size());

        // a message with markup arrives as literal text
        String hostile = "<img src=x onerror=alert(1)> hello bob";
        alice.driver().findElement(By.id("text")).sendKeys(hostile, Keys.ENTER);
        waitForMessage(bob, hostile);
        assertTrue(bob.driver().findElements(By.cssSelector("#messages img")).isEmpty(), "no element was made from the text");
        List<WebElement> lines = bob.driver().findElements(By.cssSelector("#messages li.message"));
        assertEquals("alice", lines.get(lines.size() - 1).findElement(By.cssSelector(".from")).getText());

        // typing hint
        bob.driver().findElement(By.id("text")).sendKeys("typing…");
        alice.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("typing"), "bob is typing…"));
        bob.driver().findElement(By.id("text")).clear();

        // bob whispers to alice by picking her in the member list
        member(bob, "alice").click();
        assertEquals("alice", new Select(bob.driver().findElement(By.id("to"))).getFirstSelectedOption().getAttribute("value"));
        bob.driver().findElement(By.id("text")).sendKeys("just between us", Keys.ENTER);
        waitForMessage(alice, "just between us");
        WebElement whisper = alice.driver().findElement(By.cssSelector("#messages li.private"));
        assertTrue(whisper.getText().contains("bob (private)"), whisper.getText());

        // alice goes away with a status; bob's list shows it
        new Select(alice.driver().findElement(By.id("my-presence"))).selectByValue("away");
        WebElement status = alice.driver().findElement(By.id("my-status"));
        status.clear();
        status.sendKeys("making tea");
        alice.driver().findElement(By.id("update-me")).click();
        // the list is redrawn on every presence change: an element found a moment ago may be gone
        bob.waitUpTo(Duration.ofSeconds(10)).ignoring(StaleElementReferenceException.class).until(d ->
                member(bob, "alice").findElement(By.cssSelector(".dot")).getAttribute("data-presence").equals("away"));
        assertTrue(member(bob, "alice").getText().contains("making tea"));
        bob.screenshot("chat-bob");

        // bob leaves; alice sees it
        bob.driver().findElement(By.id("leave")).click();
        waitForMessage(alice, "bob left.");
        assertTrue(alice.driver().findElements(By.cssSelector("#members button[data-nick='bob']")).isEmpty());
        alice.screenshot("chat-alice");
    }

    @Test
    void takenNickIsExplainedOnTheJoinForm() {
        join(alice, "carol", "tea-room");
        WebDriver driver = bob.driver();
        driver.get(server.http("chat.html?room=tea-room").toString());
        driver.findElement(By.id("nick")).sendKeys("Carol", Keys.ENTER);
        bob.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("join-error"), "already taken"));
        assertTrue(driver.findElement(By.id("join-view")).isDisplayed());
    }

    @Test
    void droppedConnectionReconnectsRejoinsAndSaysSo() {
        join(alice, "dora", "reconnect-room");
        // the server restarts its side of every connection (1012 "service restart")
        server.server().application().connections().closeAll(1012, "restarting");
        waitForMessage(alice, "Connection lost (1012");
        waitForMessage(alice, "Reconnected: back in reconnect-room as dora.");
        alice.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        alice.driver().findElement(By.id("text")).sendKeys("still here", Keys.ENTER);
        waitForMessage(alice, "still here");
    }

    private static Object js(Browser browser, String script, Object... args) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script, args);
    }

    @Test
    void afterAPrivateMessageTheNextGoesToTheRoom() {
        join(alice, "erin", "after-private");
        join(bob, "finn", "after-private");
        alice.waitUpTo(Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#members button[data-nick='finn']")).isEmpty());
        new Select(alice.driver().findElement(By.id("to"))).selectByValue("finn");
        alice.driver().findElement(By.id("text")).sendKeys("only for finn", Keys.ENTER);
        waitForMessage(bob, "only for finn");
        assertEquals("", new Select(alice.driver().findElement(By.id("to"))).getFirstSelectedOption().getAttribute("value"),
                "the target is back to everyone");
        alice.driver().findElement(By.id("text")).sendKeys("for the room", Keys.ENTER);
        waitForMessage(bob, "for the room");
        List<WebElement> lines = bob.driver().findElements(By.cssSelector("#messages li.message"));
        assertFalse(lines.get(lines.size() - 1).getAttribute("class").contains("private"));
    }

    @Test
    void aTooLongMessageStaysInTheInputAndPresenceChangesAreLogged() throws Exception {
        join(alice, "gale", "long-room");
        join(bob, "hana", "long-room");
        String tooLong = "x".repeat(4001); // the default chat.max-text is 4000
        js(alice, "const t = document.getElementById('text'); t.value = arguments[0];", tooLong);
        alice.driver().findElement(By.id("text")).sendKeys(Keys.ENTER);
        alice.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("notice"), "too long"));
        assertEquals(tooLong, alice.driver().findElement(By.id("text")).getAttribute("value"), "nothing typed is lost");

        new Select(alice.driver().findElement(By.id("my-presence"))).selectByValue("dnd");
        WebElement status = alice.driver().findElement(By.id("my-status"));
        status.clear();
        status.sendKeys("in a meeting");
        alice.driver().findElement(By.id("update-me")).click();
        waitForMessage(bob, "gale is now do not disturb — in a meeting");
        bob.driver().findElement(By.id("text")).sendKeys("a line long enough to need wrapping on a narrow phone screen, "
                + "so that the time beside it would wrap too if it could", Keys.ENTER);
        waitForMessage(bob, "if it could");
        Looks.check(bob, "chat-room");
        bob.driver().manage().window().setSize(new org.openqa.selenium.Dimension(360, 800));
        try {
            Looks.settle(bob);
            assertEquals(0L, js(bob, "return [...document.querySelectorAll('#messages .meta')]"
                    + ".filter(m => getComputedStyle(m).whiteSpace !== 'nowrap' || m.getClientRects().length !== 1"
                    + " || m.getBoundingClientRect().height > 24).length;"),
                    "every time is on one line");
        } finally {
            bob.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }
    }

    @Test
    void reconnectNowDoesNotWaitForTheBackoff() throws Exception {
        join(alice, "ines", "now-room");
        // every new socket asks for a path that is no endpoint: each handshake fails (1006 before open,
        // as a server that is down would), so the page keeps trying and its wait grows
        js(alice, "window.__failSockets = true; const Real = window.WebSocket;"
                + "window.WebSocket = class extends Real { constructor(url, p) {"
                + "  super(window.__failSockets ? String(url).replace('/chat/', '/no-such-endpoint/') : url, p); } };");
        server.server().application().connections().closeAll(1012, "restarting");
        waitForMessage(alice, "Connection lost (1012");
        alice.waitUpTo(Duration.ofSeconds(30)).withMessage(() -> "waiting for a long backoff: " + js(alice,
                "return document.getElementById('connection').outerHTML + ' | ' + document.getElementById('state').textContent"
                        + " + ' | ' + document.getElementById('messages').textContent;")).until(d -> {
            String wait = d.findElement(By.id("connection")).getAttribute("data-retry-ms");
            return wait != null && !wait.isEmpty() && Long.parseLong(wait) >= 8000;
        });
        WebElement now = alice.driver().findElement(By.id("reconnect-now"));
        assertTrue(now.isDisplayed());
        alice.screenshot("chat-reconnect-now");
        Looks.narrow(alice, "chat-reconnect-now", 400, "connection");
        js(alice, "window.__failSockets = false;");
        long clicked = System.nanoTime();
        now.click();
        alice.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        waitForMessage(alice, "Reconnected: back in now-room as ines.");
        assertTrue(System.nanoTime() - clicked < 5_000_000_000L, "came back before the backoff would have");
        assertFalse(alice.driver().findElement(By.id("reconnect-now")).isDisplayed());
    }
}
