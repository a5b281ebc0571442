package dev.switchboard.browser;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.Browser;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
     * Holds the page away from the server: while held, a WebSocket the page makes is a stand-in
     * that stays CONNECTING (one attempt, so the page's backoff does not grow) while the test
     * changes the server; {@link Hold#release} lets the next attempt through and ends the held
     * one as a dropped connection (1006), so the page tries again at once. Closing releases too.
     */
    static Hold hold(Browser browser) {
        return new Hold(browser);
    }

    static final class Hold implements AutoCloseable {
        private final JavascriptExecutor page;
        private boolean released;

        private Hold(Browser browser) {
            page = browser.driver();
            page.executeScript(
                    "if (!window.__realWebSocket) {"
                            + "  window.__realWebSocket = window.WebSocket;"
                            + "  window.__heldSockets = [];"
                            + "  window.WebSocket = class extends window.__realWebSocket {"
                            + "    constructor(url, protocols) {"
                            + "      if (window.__held) {"
                            + "        const held = { url: String(url), readyState: 0, bufferedAmount: 0, protocol: '',"
                            + "          extensions: '', binaryType: 'blob', send() { throw new Error('not open'); },"
                            + "          close() {} };"
                            + "        window.__heldSockets.push(held);"
                            + "        return held;"
                            + "      }"
                            + "      super(url, protocols);"
                            + "      window.__lastUrl = String(url);"
                            + "    }"
                            + "  };"
                            + "}"
                            + "window.__heldSockets = [];"
                            + "window.__held = true;");
        }

        /** Lets the page's next attempt through to the server and drops the one that was held. */
        void release() {
            if (released) {
                return;
            }
            released = true;
            // the page has really tried to come back while held (so what was posted meanwhile was missed)
            Await.until("the page to try to reconnect", Duration.ofSeconds(20), () -> ((Number) page.executeScript(
                    "return window.__heldSockets.length;")).intValue() > 0);
            page.executeScript(
                    "window.__held = false;"
                            + "for (const held of window.__heldSockets.splice(0)) {"
                            + "  held.readyState = 3;"
                            + "  if (held.onclose) held.onclose({ type: 'close', code: 1006, reason: '', wasClean: false });"
                            + "}");
        }

        @Override
        public void close() {
            release();
        }
    }

    /** The URL of the last WebSocket the page opened since a {@link #hold} was first made. */
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
