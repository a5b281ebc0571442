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
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The STOMP pages in two real Chromium sessions: a whole game, the console and the monitor. */
class StompPagesTest {

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

    private static void joinGame(Browser browser, String me, String opponent) {
        WebDriver driver = browser.driver();
        driver.get(server.http("game.html").toString());
        driver.findElement(By.id("me")).sendKeys(me);
        driver.findElement(By.id("opponent")).sendKeys(opponent, Keys.ENTER);
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private static void waitForText(Browser browser, String id, String text) {
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), text));
    }

    @Test
    void wholeGameIncludingAMoveMadeBeforeTheOtherPlayerArrives() throws Exception {
        joinGame(alice, "alice", "bob");
        alice.driver().findElement(By.cssSelector("button[data-move='rock']")).click();
        waitForText(alice, "status", "Waiting for bob");

        joinGame(bob, "bob", "alice"); // alice's move has waited in bob's queue
        waitForText(bob, "status", "alice has moved. Your turn!");
        bob.driver().findElement(By.tagName("body")).sendKeys("s"); // keyboard: S for scissors
        waitForText(bob, "result", "Rock crushes scissors — alice wins.");
        waitForText(alice, "result", "Rock crushes scissors — you win!");
        waitForText(alice, "presence", "bob is here.");
        assertEquals("1", alice.driver().findElement(By.id("wins")).getText());
        assertEquals("1", bob.driver().findElement(By.id("losses")).getText());
        alice.screenshot("game-alice");
        bob.screenshot("game-bob");

        // round two, keyboard only
        alice.driver().findElement(By.tagName("body")).sendKeys("n");
        bob.driver().findElement(By.tagName("body")).sendKeys("n");
        alice.driver().findElement(By.tagName("body")).sendKeys("p");
        bob.driver().findElement(By.tagName("body")).sendKeys("p");
        waitForText(alice, "result", "Draw!");
        waitForText(bob, "result", "Draw!");
        assertEquals("2", alice.driver().findElement(By.id("round")).getText());
    }

    @Test
    void consoleSubscribesSendsAndShowsFramesAndTheMonitorSeesIt() throws Exception {
        WebDriver console = alice.driver();
        console.get(server.http("stomp.html").toString());
        console.findElement(By.id("connect")).click();
        alice.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        console.findElement(By.id("sub-destination")).clear();
        console.findElement(By.id("sub-destination")).sendKeys("/queue/console-test");
        new Select(console.findElement(By.id("ack-mode"))).selectByVisibleText("client-individual");
        console.findElement(By.id("subscribe")).click();
        console.findElement(By.id("send-destination")).clear();
        console.findElement(By.id("send-destination")).sendKeys("/queue/console-test");
        console.findElement(By.id("headers")).sendKeys("x-note:<b>not bold</b>");
        console.findElement(By.id("body")).clear();
        console.findElement(By.id("body")).sendKeys("<img src=x onerror=alert(1)>");
        console.findElement(By.id("send")).click();
        waitForText(alice, "messages", "<img src=x onerror=alert(1)>");
        assertTrue(console.findElements(By.cssSelector("#messages img")).isEmpty(), "bodies are text, never HTML");
        assertTrue(console.findElement(By.id("messages")).getText().contains("x-note:<b>not bold</b>"));
        waitForText(alice, "frames", "→ SEND");
        waitForText(alice, "frames", "← MESSAGE");
        console.findElement(By.cssSelector("#messages .acks button")).click(); // ACK
        waitForText(alice, "messages", "ACK sent");
        waitForText(alice, "frames", "→ ACK");
        alice.screenshot("stomp-console");

        bob.driver().get(server.http("monitor.html").toString());
        bob.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#queues tr[data-destination='/queue/console-test']")));
        String row = bob.driver().findElement(By.cssSelector("#queues tr[data-destination='/queue/console-test']")).getText();
        assertTrue(row.startsWith("/queue/console-test"), row);
        bob.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "LIVE"));
        assertTrue(Integer.parseInt(bob.driver().findElement(By.id("sessions")).getText()) >= 1);
        bob.screenshot("stomp-monitor");
    }
}
