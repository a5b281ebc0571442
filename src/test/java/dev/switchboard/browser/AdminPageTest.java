package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * admin.html in Chromium: it lists the open WebSockets live, filters, sorts, closes one (1008 at
 * the client, after the confirm), fits 1280 and 400 px in light and dark (photographed), and tells
 * a refusal (log in / not allowed) from a server that went away (offline).
 */
class AdminPageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static void waitUntil(Browser browser, Function<WebDriver, Boolean> condition) {
        browser.waitUpTo(WAIT).withMessage(() -> "state=" + browser.driver().findElement(By.id("state")).getText()
                + " | page: " + browser.driver().executeScript("return document.body.innerText;")).until(condition);
    }

    private static String state(WebDriver d) {
        return d.findElement(By.id("state")).getText();
    }

    @SuppressWarnings("unchecked")
    private static List<String> column(Browser browser, int index) {
        return (List<String>) browser.driver().executeScript("return [...document.querySelectorAll('#connections tbody tr')]"
                + ".map(r => r.cells[arguments[0]].textContent);", index);
    }

    @Test
    void listsFiltersSortsAndClosesAndFitsDesktopAndPhoneInLightAndDark() throws Exception {
        String room = "adminpage" + System.nanoTime() % 100_000;
        try (RunningServer server = RunningServer.start(); Browser browser = Browser.start();
             WsClient b = WsClient.connect(server.ws("chat/" + room + "-b"));
             WsClient a = WsClient.connect(server.ws("chat/" + room + "-a"));
             WsClient echo = WsClient.connect(server.ws("echo"))) {
            assertEquals("hi", echo.sendText("hi").nextText());
            JavascriptExecutor js = browser.driver();
            browser.driver().get(server.http("admin.html").toString());
            waitUntil(browser, d -> "LIVE".equals(state(d))
                    && browser.driver().findElements(By.cssSelector("#connections tbody tr")).size() >= 3);
            for (boolean dark : new boolean[] {false, true}) {
                browser.colourScheme(dark ? "dark" : "light");
                for (Dimension size : List.of(new Dimension(1280, 900), new Dimension(400, 844))) {
                    browser.driver().manage().window().setSize(size);
                    js.executeAsyncScript("const done = arguments[arguments.length - 1];"
                            + "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
                    long overflow = ((Number) js.executeScript(
                            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")).longValue();
                    assertTrue(overflow <= 0, size.getWidth() + " px: " + overflow + " px too wide");
                    browser.screenshot("admin" + (dark ? "-dark" : "") + "-" + size.getWidth());
                }
            }
            browser.colourScheme("light");
            browser.driver().manage().window().setSize(new Dimension(1280, 900));

            browser.driver().findElement(By.id("filter")).sendKeys(room);
            waitUntil(browser, d -> column(browser, 1).size() == 2
                    && column(browser, 1).stream().allMatch(p -> p.contains(room)));
            browser.driver().findElement(By.cssSelector("#connections th button[data-key='path']")).click();
            waitUntil(browser, d -> column(browser, 1).equals(List.of("/chat/" + room + "-a", "/chat/" + room + "-b")));
            assertEquals("ascending", browser.driver().findElement(By.cssSelector("#connections th[aria-sort]"))
                    .getAttribute("aria-sort"));
            browser.driver().findElement(By.cssSelector("#connections th button[data-key='path']")).click();
            waitUntil(browser, d -> column(browser, 1).equals(List.of("/chat/" + room + "-b", "/chat/" + room + "-a")));
            browser.screenshot("admin-filtered-1280");

            js.executeScript("window.confirm = (text) => { window.__asked = text; return true; };");
            browser.driver().findElement(By.cssSelector("#connections tbody tr:last-child button.close-connection")).click();
            assertEquals(new WsClient.Close(1008, "closed by operator"), a.awaitClose(), "the row's connection, closed");
            assertTrue(String.valueOf(js.executeScript("return window.__asked;")).contains("/chat/" + room + "-a"),
                    "the confirm named it");
            waitUntil(browser, d -> column(browser, 1).equals(List.of("/chat/" + room + "-b"))
                    && d.findElement(By.id("result")).getText().startsWith("Closed"));
            assertTrue(!b.isClosed(), "the other one stays");
        }
    }

    @Test
    void aRefusalIsToldFromAServerThatWentAway() throws Exception {
        try (RunningServer server = RunningServer.start(Map.of("security", "on",
                "security.users", "alice:{noop}pw:user,olga:{noop}pw:operator|user"));
             Browser browser = Browser.start(); Browser operator = Browser.start()) {
            browser.driver().get(server.http("admin.html").toString());
            waitUntil(browser, d -> "LOG IN".equals(state(d)));
            assertTrue(browser.driver().findElement(By.cssSelector("#access a")).getAttribute("href").contains("login.html"));
            browser.logIn(server, "alice", "pw", "admin.html");
            waitUntil(browser, d -> "NOT ALLOWED".equals(state(d)) && d.findElement(By.id("access")).getText().contains("Operators only"));
            browser.screenshot("admin-not-allowed-1280");
            operator.logIn(server, "olga", "pw", "admin.html");
            waitUntil(operator, d -> "LIVE".equals(state(d)) && d.findElement(By.id("session")).getText().contains("olga"));
            try (WsClient alice = WsClient.connect(server.ws("echo"), Map.of("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8))))) {
                waitUntil(operator, d -> column(operator, 2).contains("alice"));
                operator.screenshot("admin-operator-1280");
            }
            server.server().close(); // the server goes away: offline, not refused
            waitUntil(operator, d -> "OFFLINE".equals(state(d)) && d.findElement(By.id("offline")).isDisplayed()
                    && !d.findElement(By.id("access")).isDisplayed());
        }
    }
}
