package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** echo.html in Debian's headless Chromium against the standalone server. */
class EchoPageTest {

    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(Map.of("max-message-bytes", "1024"));
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            server.close();
        }
    }

    private void open() {
        browser.driver().get(server.http("echo.html").toString());
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private List<WebElement> rows(String directionClass) {
        return browser.driver().findElements(By.cssSelector("#log tbody tr." + directionClass));
    }

    @Test
    void typedMessageIsSentWithEnterAndItsEchoIsLogged() throws Exception {
        open();
        WebElement input = browser.driver().findElement(By.id("message"));
        input.clear();
        input.sendKeys("hello from Chromium <b>not bold</b>", Keys.ENTER);
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> !rows("dir-in").isEmpty());
        WebElement received = rows("dir-in").get(0);
        assertEquals("text", received.findElement(By.cssSelector("td.type")).getText());
        assertEquals("hello from Chromium <b>not bold</b>", received.findElement(By.cssSelector("td.data")).getText(),
                "markup in a message is shown as text");
        assertEquals("35", received.findElement(By.cssSelector("td.num")).getText());
        assertEquals("1 (OPEN)", browser.driver().findElement(By.id("ready-state")).getText());
        assertEquals("0", browser.driver().findElement(By.id("buffered-amount")).getText());
        Path shot = browser.screenshot("echo-page");
        assertTrue(Files.size(shot) > 10_000);
    }

    @Test
    void fileIsSentAsBinaryAndComesBackAsBinary() throws Exception {
        open();
        Path file = Files.createTempFile("switchboard", ".bin");
        Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        try {
            browser.driver().findElement(By.id("file")).sendKeys(file.toString());
            browser.waitUpTo(Duration.ofSeconds(10)).until(d -> !rows("dir-in").isEmpty());
            WebElement received = rows("dir-in").get(0);
            assertEquals("binary", received.findElement(By.cssSelector("td.type")).getText());
            assertEquals("8", received.findElement(By.cssSelector("td.num")).getText());
            assertEquals("89 50 4e 47 0d 0a 1a 0a", received.findElement(By.cssSelector("td.data")).getText());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void closeWithAChosenCodeAndReasonStaysClosed() throws Exception {
        open();
        WebElement code = browser.driver().findElement(By.id("close-code"));
        code.clear();
        code.sendKeys("4000");
        WebElement reason = browser.driver().findElement(By.id("close-reason"));
        reason.clear();
        reason.sendKeys("test done");
        browser.driver().findElement(By.id("close")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "CLOSED"));
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("notice"), "Closed: 4000"));
        assertTrue(browser.driver().findElement(By.id("notice")).getText().contains("test done"));
        browser.screenshot("echo-page-closed");
        assertEquals("CLOSED", browser.driver().findElement(By.id("state")).getText(), "a chosen close does not reconnect");
    }

    @Test
    void serverCloseIsShownAndThePageReconnects() throws Exception {
        open();
        WebElement input = browser.driver().findElement(By.id("message"));
        input.clear();
        input.sendKeys("y".repeat(1500), Keys.ENTER); // over this server's 1024-byte limit
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#log tbody"), "1009 message too big"));
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#log tbody"), "reconnect attempt 1"));
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        browser.screenshot("echo-page-reconnected");
    }
}
