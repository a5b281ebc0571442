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

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** overhead.html in Debian's headless Chromium against the standalone server. */
class OverheadPageTest {

    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, browser);
    }

    private String text(String id) {
        return browser.driver().findElement(By.id(id)).getText();
    }

    private static int quoteRows(WebDriver driver, String table) {
        return driver.findElements(By.cssSelector("#" + table + " tbody tr")).size();
    }

    private static String total(WebDriver driver, String row) {
        return driver.findElement(By.cssSelector("#" + row + " [data-field=total]")).getText();
    }

    @Test
    void bothPanelsShowPricesAndTheTableShowsBytesPerUpdateAsClientsAreAdded() throws Exception {
        browser.driver().get(server.http("overhead.html").toString());
        var wait = browser.waitUpTo(Duration.ofSeconds(20));
        wait.until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        wait.until(d -> quoteRows(d, "poll-quotes") == 3 && quoteRows(d, "ws-quotes") == 3);
        wait.until(d -> total(d, "row-polling").endsWith(" B") && total(d, "row-websocket").endsWith(" B"));
        assertEquals("SWB", browser.driver().findElement(By.cssSelector("#ws-quotes tbody td.symbol")).getText());
        assertEquals("POLLING", text("poll-state"));

        // keyboard only: focus the buttons and press Enter
        browser.driver().findElement(By.id("add-pollers")).sendKeys(Keys.ENTER);
        browser.driver().findElement(By.id("add-sockets")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("simulated"), "10 pollers, 10 sockets"));
        wait.until(d -> text("websocket-clients").equals("11") && text("polling-clients").equals("11"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#projection tbody tr.now"), "11"));

        long polled = parse(total(browser.driver(), "row-polling"));
        long pushed = parse(total(browser.driver(), "row-websocket"));
        assertTrue(polled > 5 * pushed, "a poll costs several times a push: " + polled + " B vs " + pushed + " B");
        assertEquals(4, browser.driver().findElements(By.cssSelector("#projection tbody tr")).size(),
                "now, 1,000, 10,000 and 100,000 clients");
        assertTrue(text("ratio").contains("times as many bytes"), text("ratio"));
        browser.driver().executeScript("window.scrollTo(0, 0)");
        Path shot = browser.screenshot("overhead-page");
        assertTrue(Files.size(shot) > 10_000);
        browser.driver().executeScript("window.scrollTo(0, document.body.scrollHeight)");
        browser.screenshot("overhead-page-figures");

        browser.driver().findElement(By.id("remove-all")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBe(By.id("simulated"), "0 pollers, 0 sockets"));
        wait.until(d -> text("websocket-clients").equals("1"));
    }

    private static long parse(String bytes) {
        return Long.parseLong(bytes.replace(" B", "").replace(",", ""));
    }
}
