package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page state as people meet it: at 1280 px, at 400 px and at 360 px, in light and in dark mode
 * (prefers-color-scheme emulated through the DevTools protocol's Emulation.setEmulatedMedia):
 * photographed each way, axe-clean each way (contrast too), nothing wider than the screen.
 */
final class Looks {

    private static final Dimension DESKTOP = new Dimension(1280, 900);

    private Looks() {
    }

    /** Screenshots name, name-400, name-360, name-dark, name-dark-400; returns their paths. */
    static List<Path> check(Browser browser, String name) throws IOException {
        return check(browser, name, null);
    }

    /** The same with the element of this id (when not null) scrolled to the top of the screen in each picture. */
    static List<Path> check(Browser browser, String name, String showId) throws IOException {
        List<Path> shots = new ArrayList<>();
        try {
            for (boolean dark : new boolean[] {false, true}) {
                colourScheme(browser, dark ? "dark" : "light");
                String base = dark ? name + "-dark" : name;
                settle(browser);
                PageChecks.assertAccessible(browser);
                show(browser, showId);
                shots.add(browser.screenshot(base));
                shots.add(narrow(browser, base, 400, showId));
                if (!dark) {
                    shots.add(NarrowScreen.photographAndCheck(browser, name, showId));
                }
            }
        } finally {
            colourScheme(browser, "");
            browser.driver().manage().window().setSize(DESKTOP);
        }
        return shots;
    }

    /** Emulates prefers-color-scheme ("dark", "light", or "" for the system's). */
    static void colourScheme(Browser browser, String scheme) {
        browser.colourScheme(scheme);
    }

    /** At {@code width} px: photographed, no wider than the screen, axe-clean. */
    static Path narrow(Browser browser, String name, int width, String showId) throws IOException {
        JavascriptExecutor js = browser.driver();
        browser.driver().manage().window().setSize(new Dimension(width, 860));
        try {
            show(browser, showId);
            settle(browser);
            assertEquals(width, ((Number) js.executeScript("return window.innerWidth;")).longValue(), "viewport width");
            Path shot = browser.screenshot(name + "-" + width);
            long overflow = ((Number) js.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
            assertTrue(overflow <= 0, () -> name + " is " + overflow + " px wider than a " + width + " px screen: "
                    + js.executeScript("const w = document.documentElement.clientWidth;"
                    + "return [...document.querySelectorAll('body *')]"
                    + ".filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))"
                    + ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 12).join(' ');"));
            PageChecks.assertAccessible(browser);
            return shot;
        } finally {
            browser.driver().manage().window().setSize(DESKTOP);
        }
    }

    private static void show(Browser browser, String showId) {
        ((JavascriptExecutor) browser.driver()).executeScript("const e = arguments[0] && document.getElementById(arguments[0]);"
                + "if (e) e.scrollIntoView({ block: 'start' }); else window.scrollTo(0, 0);", showId);
    }

    /** Two animation frames: laid out and painted as it is now. */
    static void settle(Browser browser) {
        ((JavascriptExecutor) browser.driver()).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
    }
}
