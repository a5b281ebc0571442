package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the media pages' tests (images, vnc, console, overhead) share: logging in through the login
 * page (the session cookie, as a person gets it), dark mode by DevTools' media emulation, and a
 * check at any width (no element wider than the screen, axe-clean, one h1, photographed).
 */
final class MediaPages {

    static final Dimension DESKTOP = new Dimension(1280, 900);
    /** Security on: bob is a user, olga an operator. */
    static final Map<String, String> SECURITY_ON = Map.of("security", "on",
            "security.users", "bob:{noop}pw:user,olga:{noop}op:operator|user");

    private MediaPages() {
    }

    /** Emulates {@code prefers-color-scheme: dark} (or light) in this browser (Chromium DevTools). */
    static void colourScheme(Browser browser, String scheme) {
        browser.colourScheme(scheme);
        assertEquals(scheme.equals("dark"), ((JavascriptExecutor) browser.driver()).executeScript(
                "return matchMedia('(prefers-color-scheme: dark)').matches;"));
    }

    /** At {@code width} px: photographed ({@code name-width}), nothing wider than the screen, axe-clean; back to desktop after. */
    static Path checkAt(Browser browser, String name, int width) throws IOException {
        JavascriptExecutor js = browser.driver();
        browser.driver().manage().window().setSize(new Dimension(width, 860));
        try {
            js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "window.scrollTo(0, 0); requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
            Path shot = browser.screenshot(name + "-" + width);
            long overflow = ((Number) js.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
            assertTrue(overflow <= 0, () -> name + " is " + overflow + " px wider than a " + width + " px screen: "
                    + js.executeScript("const w = document.documentElement.clientWidth;"
                    + "return [...document.querySelectorAll('body *')]"
                    + ".filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))"
                    + ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 12).join(' ');"));
            assertAccessible(browser);
            return shot;
        } finally {
            browser.driver().manage().window().setSize(DESKTOP);
        }
    }

    /** PageChecks' axe-core check, failing with what axe says of each node (colours, ratios). */
    static void assertAccessible(Browser browser) {
        try {
            PageChecks.assertAccessible(browser);
        } catch (AssertionError e) {
            Object details = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations.map(v =>"
                            + "  v.id + ': ' + v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary).join(' | ')).join('\\n')));");
            throw new AssertionError(e.getMessage() + "\n" + details, e);
        }
    }

    /** One visible-or-not h1 that names the page (screen readers' first landmark). */
    static void assertOneHeading(Browser browser) {
        assertEquals(1L, ((Number) ((JavascriptExecutor) browser.driver()).executeScript(
                "return [...document.querySelectorAll('h1')].filter(h => !h.closest('[hidden]')).length;")).longValue(),
                "one h1 on " + browser.driver().getCurrentUrl());
    }

    static String text(Browser browser, String id) {
        return browser.driver().findElement(By.id(id)).getText();
    }
}
