package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * game.html (issue 16, item 8): a player who leaves is shown as gone at once (a goodbye over STOMP
 * on pagehide), one whose connection goes silent after the grace period (presence beats on the
 * game's topics), and one who comes back as back.
 */
class GamePresencePageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
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

    private static void join(Browser browser, String me, String opponent) {
        WebDriver driver = browser.driver();
        driver.get(server.http("game.html").toString());
        driver.findElement(By.id("me")).sendKeys(me);
        driver.findElement(By.id("opponent")).sendKeys(opponent, Keys.ENTER);
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private static void waitForPresence(Browser browser, String state, String text) {
        browser.waitUpTo(WAIT).withMessage(() -> "presence: " + browser.driver().findElement(By.id("presence")).getText())
                .until(d -> state.equals(d.findElement(By.id("presence")).getAttribute("data-presence"))
                        && d.findElement(By.id("presence")).getText().contains(text));
    }

    @Test
    void aPlayerWhoLeavesOrGoesSilentIsShownAsGoneAndOneWhoReturnsAsBack() throws Exception {
        join(alice, "alice", "bob");
        join(bob, "bob", "alice");
        waitForPresence(alice, "here", "bob is here.");
        waitForPresence(bob, "here", "alice is here.");

        // bob closes the game (another page): his goodbye says so at once, long before the grace period
        long left = System.nanoTime();
        bob.driver().get("about:blank");
        waitForPresence(alice, "left", "bob has left.");
        assertTrue(Duration.ofNanos(System.nanoTime() - left).toMillis() < 5000, "the goodbye, not the grace period");
        PageChecks.photographAndCheck(alice, "game-opponent-left");
        NarrowScreen.photographAndCheck(alice, "game-opponent-left");

        join(bob, "bob", "alice");
        waitForPresence(alice, "here", "bob is back.");

        // bob's connection goes silent (nothing he sends arrives, no goodbye): gone after the grace period
        bob.driver().executeScript("WebSocket.prototype.send = function () {};");
        waitForPresence(alice, "gone", "bob seems to be gone");
        PageChecks.photographAndCheck(alice, "game-opponent-gone");
    }
}
