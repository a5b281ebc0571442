package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chat.html after a dropped connection: it rejoins with {@code since} and shows what it missed
 * exactly once (same server), or reloads the room and says so (server restarted: another epoch).
 */
class ChatRecoveryPageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RunningServer server;
    private static Browser page;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        page = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, page);
    }

    private static void join(RunningServer on, String nick, String room) {
        WebDriver driver = page.driver();
        driver.get(on.http("chat.html?room=" + room).toString());
        driver.findElement(By.id("nick")).sendKeys(nick, Keys.ENTER);
        page.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private static void say(String text) {
        page.driver().findElement(By.id("text")).sendKeys(text, Keys.ENTER);
        waitUntil(d -> texts().contains(text));
    }

    /** The texts of the room messages on the page, top to bottom. */
    private static List<String> texts() {
        return page.driver().findElements(By.cssSelector("#messages li.message .text")).stream()
                .map(WebElement::getText).toList();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** Another member joins over a plain WebSocket and posts; returns once the room has taken every one. */
    private static void postAsOther(RunningServer on, String room, String... messages) throws Exception {
        try (WsClient other = WsClient.connect(on.ws("chat/" + room))) {
            other.sendText("{\"type\":\"join\",\"nick\":\"frank\"}");
            while (!"welcome".equals(json(other.nextText()).getString("type"))) {
                // presence before the welcome is not expected, but not this test's business
            }
            for (String text : messages) {
                other.sendText(Json.createObjectBuilder().add("type", "message").add("text", text).build().toString());
                JsonObject echo;
                do {
                    echo = json(other.nextText()); // the room sends every message to its sender too
                } while (!"message".equals(echo.getString("type")));
                assertEquals(text, echo.getString("text"));
            }
            other.closeNormally();
        }
    }

    private static String recoveryLine() {
        return page.driver().findElement(By.id("recovery")).getText();
    }

    /** Waits for a condition of the page, failing with what the page shows. */
    private static void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> String.join(" | ", java.util.stream.Stream.of("state", "recovery", "messages")
                .map(id -> id + "=" + page.driver().findElement(By.id(id)).getText()).toList()))
                .until(condition);
    }

    @Test
    void missedMessagesAreRecoveredExactlyOnceAfterADrop() throws Exception {
        join(server, "erin", "recover-room");
        say("before one");
        say("before two");

        try (PageChecks.Hold hold = PageChecks.hold(page)) {
            server.server().application().connections().closeAll(1012, "restarting");
            page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Connection lost (1012"));
            postAsOther(server, "recover-room", "missed one", "missed <b>two</b>", "missed three");
            hold.release();
        }

        waitUntil(d -> recoveryLine().equals("Reconnected — 3 missed messages recovered"));
        assertEquals(List.of("before one", "before two", "missed one", "missed <b>two</b>", "missed three"), texts());
        assertTrue(page.driver().findElements(By.cssSelector("#messages b")).isEmpty(), "user text stays text");
        assertEquals("status", page.driver().findElement(By.id("recovery")).getAttribute("role"));
        assertEquals(3, page.driver().findElements(By.cssSelector("#messages li.recovered")).size());
        assertTrue(PageChecks.lastUrl(page).endsWith("/chat/recover-room"), PageChecks.lastUrl(page));

        // live again: another post arrives once, and the page can still talk
        postAsOther(server, "recover-room", "live after");
        waitUntil(d -> texts().contains("live after"));
        say("still here");
        assertEquals(List.of("before one", "before two", "missed one", "missed <b>two</b>", "missed three",
                "live after", "still here"), texts());
        PageChecks.photographAndCheck(page, "chat-recovered");
    }

    @Test
    void dropWithNothingMissedSaysSo() throws Exception {
        join(server, "gail", "quiet-room");
        say("only me");
        server.server().application().connections().closeAll(1012, "restarting");
        waitUntil(d -> recoveryLine().equals("Reconnected — no messages missed"));
        assertEquals(List.of("only me"), texts());
    }

    @Test
    void restartedServerCannotRecoverSoTheRoomIsReloaded() throws Exception {
        RunningServer first = RunningServer.start();
        int port = first.port();
        RunningServer second = null;
        try {
            join(first, "hana", "reload-room");
            say("from the old server");

            try (PageChecks.Hold hold = PageChecks.hold(page)) {
                first.close(); // every epoch is lost with it
                page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Connection lost"));
                second = RunningServer.start(Map.of("port", String.valueOf(port)));
                postAsOther(second, "reload-room", "new one", "new two");
                hold.release();
            }

            waitUntil(d -> recoveryLine().equals(
                    "Reconnected — could not recover what was missed; the room was reloaded"));
            assertEquals(List.of("new one", "new two"), texts());
            PageChecks.photographAndCheck(page, "chat-reloaded");
        } finally {
            Browser.closeAll(second);
            first.close();
        }
    }
}
