package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The smallest phone the STOMP pages are made for (360 px wide, below PageChecks' 390): photographed
 * there, nothing wider than the screen (a table may scroll inside its own box), axe-clean.
 */
final class NarrowScreen {

    private static final Dimension PHONE_360 = new Dimension(360, 800);
    private static final Dimension DESKTOP = new Dimension(1280, 900);

    private NarrowScreen() {
    }

    /** Screenshot {@code name-360.png} at 360 px, the top of the page in view; returns its path. */
    static Path photographAndCheck(Browser browser, String name) throws IOException {
        return photographAndCheck(browser, name, null);
    }

    /** The same with the element of this id (when not null) scrolled to the top of the screen. */
    static Path photographAndCheck(Browser browser, String name, String showId) throws IOException {
        JavascriptExecutor js = browser.driver();
        browser.driver().manage().window().setSize(PHONE_360);
        try {
            js.executeScript("const e = arguments[0] && document.getElementById(arguments[0]);"
                    + "if (e) e.scrollIntoView({ block: 'start' }); else window.scrollTo(0, 0);", showId);
            // two animation frames: the page is laid out and painted at the new width before the picture
            js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
            assertEquals(360L, ((Number) js.executeScript("return window.innerWidth;")).longValue(), "viewport width");
            Path shot = browser.screenshot(name + "-360");
            long overflow = ((Number) js.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
            assertTrue(overflow <= 0, () -> name + " is " + overflow + " px wider than a 360 px screen: " + js.executeScript(
                    "const w = document.documentElement.clientWidth;"
                            + "return [...document.querySelectorAll('body *')]"
                            + ".filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))"
                            + ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 12).join(' ');"));
            PageChecks.assertAccessible(browser);
            return shot;
        } finally {
            browser.driver().manage().window().setSize(DESKTOP);
        }
    }
}
