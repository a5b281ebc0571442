package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page of src/main/webapp, as it first loads, in light and dark mode, at 1280 px and 400 px:
 * no serious or critical axe-core finding, one h1, a favicon, nothing wider than the window, and
 * no request of the page's own failing (a 404 for an icon or a script).
 */
class EveryPageTest {

    private static final String AXE = "/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";
    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        server = RunningServer.start();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, browser);
    }

    static Stream<String> pages() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src", "main", "webapp"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".html")).sorted().toList().stream();
        }
    }

    private static JavascriptExecutor js() {
        return browser.driver();
    }

    private static void open(String page, boolean dark) {
        browser.colourScheme(dark ? "dark" : "light");
        browser.driver().get(server.http(page).toString());
        browser.waitUpTo(java.time.Duration.ofSeconds(10)).until(d -> "complete".equals(js().executeScript(
                "return document.readyState;")));
        // the pages' first fetches and sockets have had their turn
        js().executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));");
    }

    @ParameterizedTest
    @MethodSource("pages")
    void isAccessibleInLightAndDarkAtDesktopAndPhoneWidth(String page) throws IOException {
        for (boolean dark : new boolean[] {false, true}) {
            for (Dimension size : List.of(new Dimension(1280, 900), new Dimension(400, 844))) {
                browser.driver().manage().window().setSize(size);
                open(page, dark);
                String where = page + (dark ? " (dark)" : "") + " at " + size.getWidth() + " px";
                assertEquals(List.of(), seriousViolations(), where + ": axe-core serious or critical findings");
                long overflow = ((Number) js().executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
                assertTrue(overflow <= 0, where + " is " + overflow + " px wider than the window");
                browser.screenshot("every-" + page.replace(".html", "") + (dark ? "-dark" : "") + "-" + size.getWidth());
            }
        }
        assertEquals(1L, js().executeScript("return [...document.querySelectorAll('h1')]"
                + ".filter(h => h.getClientRects().length > 0).length;"), page + " shows one h1 (a hidden view's may wait)");
        assertEquals(Boolean.TRUE, js().executeScript("return !!document.querySelector('link[rel=\"icon\"]');"),
                page + " names its icon");
        @SuppressWarnings("unchecked")
        List<String> failed = (List<String>) js().executeScript(
                "return performance.getEntriesByType('resource').filter(r => r.responseStatus >= 400)"
                        + ".map(r => r.responseStatus + ' ' + r.name);");
        assertEquals(List.of(), failed, page + ": its own requests that failed");
        browser.driver().manage().window().setSize(new Dimension(1280, 900));
    }

    private static List<Map<String, Object>> seriousViolations() {
        if (!Boolean.TRUE.equals(js().executeScript("return typeof window.axe === 'object';"))) {
            js().executeScript(axeSource());
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> violations = (List<Map<String, Object>>) js().executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "axe.run(document, { resultTypes: ['violations'] })"
                        + ".then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
                        + "  .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).join(', ') }))))"
                        + ".catch(e => done([{ id: 'axe-failed', impact: String(e), nodes: '' }]));");
        return violations;
    }

    private static String axeSource() {
        try (InputStream in = EveryPageTest.class.getResourceAsStream(AXE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
