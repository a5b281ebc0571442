package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every page state the recovery tests reach must be: free of axe-core violations (the axe
 * WebJar's script, injected into the page), usable at phone width (nothing wider than the screen),
 * and photographed at both widths.
 */
final class PageChecks {

    private static final String AXE = "/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";
    private static final Dimension DESKTOP = new Dimension(1280, 900);
    private static final Dimension PHONE = new Dimension(390, 844);

    private PageChecks() {
    }

    /** Fails listing each axe violation (rule, impact, the elements) of the page as it is now. */
    static void assertAccessible(Browser browser) {
        JavascriptExecutor js = browser.driver();
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
            js.executeScript(axeSource());
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> violations = (List<Map<String, Object>>) js.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, { resultTypes: ['violations'] })"
                        + ".then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact,"
                        + "  nodes: v.nodes.map(n => n.target.join(' ')).join(', ') }))))"
                        + ".catch(e => done([{ id: 'axe-failed', impact: String(e), nodes: '' }]));");
        assertEquals(List.of(), violations, "axe-core violations");
    }

    /** Screenshots at desktop and phone width (name and name-phone), checking accessibility and width at each. */
    static void photographAndCheck(Browser browser, String name) throws IOException {
        assertAccessible(browser);
        browser.screenshot(name);
        browser.driver().manage().window().setSize(PHONE);
        try {
            browser.screenshot(name + "-phone");
            long overflow = ((Number) ((JavascriptExecutor) browser.driver()).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
            assertTrue(overflow <= 0, () -> name + " is " + overflow + " px wider than a phone screen: "
                    + ((JavascriptExecutor) browser.driver()).executeScript(
                            "const w = document.documentElement.clientWidth;"
                            + "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)"
                            + ".map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 12).join(' ');"));
            assertAccessible(browser);
        } finally {
            browser.driver().manage().window().setSize(DESKTOP);
        }
    }

    /**
     * Holds the page away from the server: while held, the page's WebSockets are made to a closed
     * port, so its reconnects fail (and back off) until {@link #release} — the server can be
     * changed meanwhile without the page coming back too early.
     */
    static void holdConnections(Browser browser) {
        ((JavascriptExecutor) browser.driver()).executeScript(
                "if (!window.__realWebSocket) {"
                        + "  window.__realWebSocket = window.WebSocket;"
                        + "  window.WebSocket = class extends window.__realWebSocket {"
                        + "    constructor(url, protocols) {"
                        + "      const held = window.__held;"
                        + "      super(held ? 'ws://127.0.0.1:9/held' : url, protocols);"
                        + "      if (!held) window.__lastUrl = String(url);"
                        + "    }"
                        + "  };"
                        + "}"
                        + "window.__held = true;");
    }

    static void release(Browser browser) {
        ((JavascriptExecutor) browser.driver()).executeScript("window.__held = false;");
    }

    /** The URL of the last WebSocket the page opened since {@link #holdConnections} was first called. */
    static String lastUrl(Browser browser) {
        return (String) ((JavascriptExecutor) browser.driver()).executeScript("return window.__lastUrl || '';");
    }

    private static String axeSource() {
        try (InputStream in = PageChecks.class.getResourceAsStream(AXE)) {
            if (in == null) {
                throw new IllegalStateException(AXE + " is not on the test classpath (org.webjars.npm:axe-core)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
