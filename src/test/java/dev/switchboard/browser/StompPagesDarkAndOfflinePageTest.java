package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The STOMP pages in dark mode (Chromium's emulated prefers-color-scheme: axe-core checks their
 * colours' contrast there too), and the monitor while its server is away: the numbers it shows
 * are dimmed and dated, and live again once the server is back (issue 16, items 9 and "also expected").
 */
class StompPagesDarkAndOfflinePageTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Browser page;

    @BeforeAll
    static void start() throws Exception {
        page = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(null, page);
    }

    private static void waitUntil(Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> "state=" + page.driver().findElement(By.id("state")).getText()).until(condition);
    }

    private static String state() {
        return page.driver().findElement(By.id("state")).getText();
    }

    @Test
    void theMonitorDimsAndDatesItsNumbersWhileTheServerIsAway() throws Exception {
        RunningServer first = RunningServer.start();
        int port = first.port();
        RunningServer second = null;
        try {
            page.driver().get(first.http("monitor.html").toString());
            waitUntil(d -> "LIVE".equals(state()));
            assertFalse(page.driver().findElement(By.id("offline")).isDisplayed());
            first.close();
            waitUntil(d -> "OFFLINE".equals(state()));
            assertTrue(page.driver().findElement(By.cssSelector("main.stale")) != null, "the numbers are marked stale");
            String offline = page.driver().findElement(By.id("offline")).getText();
            assertTrue(offline.startsWith("Offline: the server is not answering. The numbers below are from "), offline);
            PageChecks.photographAndCheck(page, "stomp-monitor-offline");
            NarrowScreen.photographAndCheck(page, "stomp-monitor-offline");

            second = RunningServer.start(Map.of("port", String.valueOf(port)));
            waitUntil(d -> "LIVE".equals(state()));
            assertTrue(page.driver().findElements(By.cssSelector("main.stale")).isEmpty(), "live numbers are not dimmed");
            assertFalse(page.driver().findElement(By.id("offline")).isDisplayed());
        } finally {
            Browser.closeAll(second);
            first.close();
        }
    }

    @Test
    void inDarkModeTheStompPagesReadWell() throws Exception {
        page.colourScheme("dark");
        try (RunningServer server = RunningServer.start()) {
            page.driver().get(server.http("stomp.html").toString());
            assertTrue((Boolean) page.driver().executeScript("return matchMedia('(prefers-color-scheme: dark)').matches;"));
            page.driver().findElement(By.id("connect")).click();
            waitUntil(d -> "OPEN".equals(state()));
            page.driver().findElement(By.id("selector")).sendKeys("a >");
            page.driver().findElement(By.id("subscribe")).click();
            waitUntil(d -> d.findElement(By.id("stomp-error")).isDisplayed());
            PageChecks.photographAndCheck(page, "stomp-console-dark");

            page.driver().get(server.http("monitor.html").toString());
            waitUntil(d -> "LIVE".equals(state()));
            PageChecks.photographAndCheck(page, "stomp-monitor-dark");

            page.driver().get(server.http("game.html").toString());
            page.driver().findElement(By.id("me")).sendKeys("dora");
            page.driver().findElement(By.id("opponent")).sendKeys("dan", Keys.ENTER);
            waitUntil(d -> "OPEN".equals(state()));
            page.driver().findElement(By.cssSelector("button[data-move='paper']")).click();
            PageChecks.photographAndCheck(page, "game-dark");
        } finally {
            page.colourScheme("");
        }
    }
}
