package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;

/**
 * images, vnc, console (both views) and overhead at 1280, 400 and 360 px, light and dark: one h1,
 * nothing wider than the screen, axe-core clean (serious and critical findings included).
 */
class MediaPagesLayoutPageTest {

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

    @ParameterizedTest
    @ValueSource(strings = {"images.html", "vnc.html", "console.html", "console.html?target", "overhead.html"})
    void fitsEveryWidthInLightAndDark(String page) throws Exception {
        browser.driver().get(server.http(page).toString());
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.not(
                ExpectedConditions.textToBe(By.id("state"), "CONNECTING")));
        if (page.startsWith("overhead")) {
            browser.waitUpTo(Duration.ofSeconds(15)).until(d -> d.findElements(By.cssSelector("#projection tbody tr")).size() == 4);
        }
        String name = "layout-" + page.replace(".html", "").replace("?", "-");
        MediaPages.assertOneHeading(browser);
        for (String scheme : new String[] {"light", "dark"}) {
            MediaPages.colourScheme(browser, scheme);
            MediaPages.assertAccessible(browser);
            browser.screenshot(name + "-" + scheme + "-1280");
            MediaPages.checkAt(browser, name + "-" + scheme, 400);
            MediaPages.checkAt(browser, name + "-" + scheme, 360);
        }
        MediaPages.colourScheme(browser, "light");
    }
}
