package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void tooBigAMessageCloseIsShownAndConnectComesBack() throws Exception {
        open();
        WebElement input = browser.driver().findElement(By.id("message"));
        input.clear();
        input.sendKeys("y".repeat(1500), Keys.ENTER); // over this server's 1024-byte limit
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#log tbody"), "1009 message too big"));
        // the same message would meet the same answer: no automatic retry (ws.js RETRYABLE_CLOSES); Connect is one click
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("notice"), "Closed: 1009"));
        assertFalse(browser.driver().findElement(By.id("notice")).getText().contains("Reconnecting"));
        browser.driver().findElement(By.id("connect")).click();
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        browser.screenshot("echo-page-reconnected");
    }

    private void send(String text) {
        WebElement input = browser.driver().findElement(By.id("message"));
        input.clear();
        input.sendKeys(text, Keys.ENTER);
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script, args);
    }

    @Test
    void aCloseCodeBrowsersRefuseIsExplainedAndAutoReconnectStaysOn() throws Exception {
        open();
        WebElement code = browser.driver().findElement(By.id("close-code"));
        code.clear();
        code.sendKeys("1001");
        browser.driver().findElement(By.id("close")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("close-error"), "1000 or 3000–4999"));
        assertEquals("OPEN", browser.driver().findElement(By.id("state")).getText(), "nothing was closed");
        assertFalse(browser.driver().findElement(By.id("notice")).getText().contains("Failed to execute"),
                "no browser exception text");
        assertEquals("true", code.getAttribute("aria-invalid"));
        Looks.check(browser, "echo-bad-close-code");
        // the box is still ticked, and it still means it: a drop reconnects
        assertTrue(browser.driver().findElement(By.id("auto-reconnect")).isSelected());
        server.server().application().connections().closeAll(1012, "restarting");
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#log tbody"), "reconnect attempt 1"));
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        code.clear();
        code.sendKeys("1000");
        assertEquals("", browser.driver().findElement(By.id("close-error")).getText(), "a good code clears the error");
    }

    @Test
    void theLogCanBeFilteredPrettyPrintedCopiedAndCleared() throws Exception {
        open();
        send("{\"greeting\":\"hello\",\"n\":[1,2]}");
        send("plain words");
        send("other words");
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> rows("dir-in").size() == 3);

        WebElement filter = browser.driver().findElement(By.id("filter"));
        filter.sendKeys("words");
        browser.waitUpTo(Duration.ofSeconds(5)).until(d -> d.findElements(By.cssSelector("#log tbody tr:not([hidden])")).size() == 4);
        filter.sendKeys(Keys.chord(Keys.CONTROL, "a"), "plain");
        browser.waitUpTo(Duration.ofSeconds(5)).until(d -> d.findElements(By.cssSelector("#log tbody tr:not([hidden])")).size() == 2);
        waitText(By.id("filter-count"), "2 of");
        filter.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);

        browser.driver().findElement(By.id("pretty")).click();
        String json = rows("dir-in").get(2).findElement(By.cssSelector("td.data")).getText();
        assertTrue(json.contains("\n  \"greeting\": \"hello\","), json);
        assertEquals("plain words", rows("dir-in").get(1).findElement(By.cssSelector("td.data")).getText(),
                "text that is not JSON is shown as it came");

        browser.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", server.http("").toString()
                .replaceAll("/$", ""), "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        rows("dir-in").get(2).findElement(By.cssSelector("button.copy")).click();
        waitText(By.id("notice"), "Copied");
        Object copied = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "navigator.clipboard.readText().then(done, e => done('failed: ' + e));");
        assertEquals("{\"greeting\":\"hello\",\"n\":[1,2]}", copied, "the frame's own text is copied");
        Looks.check(browser, "echo-log", "log");
        assertTrue(((Number) js("return document.querySelector('#log td.data').getBoundingClientRect().width;"))
                .doubleValue() > 150, "the data column keeps room for its data at 360 px");

        browser.driver().findElement(By.id("clear")).click();
        assertEquals(0, browser.driver().findElements(By.cssSelector("#log tbody tr")).size());
    }

    @Test
    void theDataColumnKeepsItsWidthOnANarrowScreen() throws Exception {
        open();
        send("0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz");
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> !rows("dir-in").isEmpty());
        for (int width : new int[] {400, 360}) {
            browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(width, 860));
            try {
                Looks.settle(browser);
                double cell = ((Number) js("return document.querySelector('#log tr.dir-in td.data')"
                        + ".getBoundingClientRect().width;")).doubleValue();
                assertTrue(cell > width * 0.6, "data column at " + width + " px is " + cell + " px wide");
                long overflow = ((Number) js("return document.documentElement.scrollWidth"
                        + " - document.documentElement.clientWidth;")).longValue();
                assertEquals(0, overflow, "echo at " + width + " px");
            } finally {
                browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
            }
        }
    }

    private void waitText(By where, String text) {
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(where, text));
    }
}
