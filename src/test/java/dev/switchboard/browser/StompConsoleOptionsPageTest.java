package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stomp.html's issue-15 options: client-id on CONNECT; prefetch-count, selector and
 * durable-subscription-name on SUBSCRIBE; persistent:true on SEND; ending a durable subscription;
 * and the page's own checks, which keep frames the broker would refuse from being sent.
 * What the page sends is read from its frame log (stompjs's raw outgoing frames, as the page shows
 * them); what reaches the wire is confirmed where today's broker echoes it back (a SEND's headers
 * come back in its MESSAGE).
 */
class StompConsoleOptionsPageTest {

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

    @BeforeEach
    void freshPage() {
        driver().get(server.http("stomp.html").toString());
    }

    private static WebDriver driver() {
        return page.driver();
    }

    private static WebElement field(String id) {
        return driver().findElement(By.id(id));
    }

    private static void type(String id, String text) {
        WebElement field = field(id);
        field.clear(); // (a durable name cleared where it does not apply switches off at once: no keys after)
        if (!text.isEmpty()) {
            field.sendKeys(text);
        }
    }

    private static void connect(String clientId) {
        type("client-id", clientId);
        field("connect").click();
        waitUntil(d -> "OPEN".equals(field("state").getText()));
    }

    private static void disconnect() {
        field("disconnect").click();
        waitUntil(d -> "Disconnected.".equals(field("connection-info").getText()));
    }

    /** The frames the page has sent with this command, oldest first, as its log shows them. */
    @SuppressWarnings("unchecked")
    private static List<String> sent(String command) {
        return (List<String>) ((JavascriptExecutor) driver()).executeScript(
                "return [...document.querySelectorAll('#frames li.out')].map(li => li.textContent)"
                        + ".filter(t => t.includes('→ ' + arguments[0] + '\\n')).reverse();", command);
    }

    private static String lastSent(String command) {
        waitUntil(d -> !sent(command).isEmpty());
        List<String> frames = sent(command);
        return frames.get(frames.size() - 1);
    }

    private static void waitUntil(Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> String.join(" | ", java.util.stream.Stream.of("state", "connection-info",
                        "subscription-note", "prefetch-error", "selector-error", "durable-error")
                .map(id -> id + "=" + field(id).getText()).toList()))
                .until(condition);
    }

    private static void waitForText(String id, String text) {
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), text));
    }

    private static String describedBy(String id) {
        return String.valueOf(field(id).getAttribute("aria-describedby"));
    }

    private static String focused() {
        return (String) ((JavascriptExecutor) driver()).executeScript("return document.activeElement.id;");
    }

    @Test
    void sendsClientIdPrefetchSelectorDurableNameAndPersistentAndEndsADurableSubscription() throws Exception {
        connect("console-c1");
        assertTrue(lastSent("CONNECT").contains("\nclient-id:console-c1\n"), lastSent("CONNECT"));
        assertTrue(field("connection-info").getText().endsWith(" as client id console-c1."), field("connection-info").getText());
        assertFalse(field("client-id").isEnabled(), "a connection's client id cannot change under it");

        // a durable, selective, flow-controlled topic subscription
        type("sub-destination", "/topic/options-news");
        new Select(field("ack-mode")).selectByVisibleText("client");
        type("prefetch", "5");
        type("selector", "priority > 3 AND region = 'eu'");
        assertTrue(field("durable-name").isEnabled(), field("durable-hint").getText());
        assertTrue(field("durable-hint").getText().contains("client id console-c1"), field("durable-hint").getText());
        type("durable-name", "news-feed");
        field("subscribe").click();
        String subscribe = lastSent("SUBSCRIBE");
        for (String header : List.of("destination:/topic/options-news", "ack:client", "prefetch-count:5",
                "selector:priority > 3 AND region = 'eu'", "durable-subscription-name:news-feed")) {
            assertTrue(subscribe.contains("\n" + header + "\n"), header + " in " + subscribe);
        }
        WebElement item = driver().findElement(By.cssSelector("#subscriptions li"));
        assertTrue(item.getText().contains("durable-subscription-name:news-feed"), item.getText());
        assertTrue(item.getText().contains("selector:priority > 3 AND region = 'eu'"), item.getText());
        assertTrue(item.getText().contains("prefetch-count:5"), item.getText());

        // persistent:true on a queue SEND: the broker copies it into the MESSAGE, so it was on the wire
        type("sub-destination", "/queue/options-persist");
        type("selector", "");
        type("durable-name", "");
        new Select(field("ack-mode")).selectByVisibleText("auto");
        assertFalse(field("prefetch").isEnabled(), "prefetch is for client acks only");
        field("subscribe").click();
        waitUntil(d -> sent("SUBSCRIBE").size() == 2);
        assertFalse(sent("SUBSCRIBE").get(1).contains("prefetch-count"), sent("SUBSCRIBE").get(1));
        assertFalse(sent("SUBSCRIBE").get(1).contains("durable-subscription-name"), "not on a queue");
        type("send-destination", "/queue/options-persist");
        type("body", "kept on disk");
        field("persistent").sendKeys(Keys.SPACE); // the keyboard ticks it
        assertTrue(field("persistent").isSelected());
        assertTrue(describedBy("persistent").contains("persistent-hint"));
        assertTrue(field("persistent-hint").getText().contains("/queue/"), field("persistent-hint").getText());
        field("send").click();
        assertTrue(lastSent("SEND").contains("\npersistent:true\n"), lastSent("SEND"));
        waitUntil(d -> messageMetaFor("kept on disk").contains("persistent:true"));
        assertTrue(messageMetaFor("kept on disk").contains("destination:/queue/options-persist"));

        // a NACKed queue message comes back marked redelivered
        type("sub-destination", "/queue/options-redeliver");
        new Select(field("ack-mode")).selectByVisibleText("client-individual");
        field("prefetch").clear();
        field("subscribe").click();
        field("persistent").sendKeys(Keys.SPACE); // off again
        type("send-destination", "/queue/options-redeliver");
        type("body", "try <b>again</b>");
        field("send").click();
        waitUntil(d -> !driver().findElements(By.cssSelector("#messages li.message .acks button")).isEmpty());
        WebElement nack = driver().findElements(By.cssSelector("#messages li.message .acks button")).get(1);
        assertEquals("NACK", nack.getText());
        nack.click();
        waitUntil(d -> !driver().findElements(By.cssSelector("#messages li.redelivered")).isEmpty());
        WebElement again = driver().findElement(By.cssSelector("#messages li.redelivered"));
        assertEquals("redelivered", again.findElement(By.cssSelector(".badge")).getText());
        assertTrue(again.findElement(By.cssSelector(".meta")).getText().contains("redelivered:true"));
        assertEquals("try <b>again</b>", again.findElement(By.cssSelector(".text")).getText());
        assertTrue(driver().findElements(By.cssSelector("#messages b")).isEmpty(), "bodies are text");
        again.findElement(By.cssSelector(".acks button")).click(); // ACK it

        PageChecks.photographAndCheck(page, "stomp-options");
        NarrowScreen.photographAndCheck(page, "stomp-options");
        NarrowScreen.photographAndCheck(page, "stomp-options-subscriptions", "subscriptions");

        // End durable subscription: UNSUBSCRIBE with the durable-subscription-name header
        WebElement end = driver().findElement(By.cssSelector("#subscriptions li button[aria-label^='End durable subscription news-feed']"));
        assertEquals("End durable subscription", end.getText());
        end.click();
        String unsubscribe = lastSent("UNSUBSCRIBE");
        assertTrue(unsubscribe.contains("\ndurable-subscription-name:news-feed\n"), unsubscribe);
        waitForText("subscription-note", "Durable subscription news-feed ended");
        assertFalse(field("subscriptions").getText().contains("news-feed"));

        // a plain Unsubscribe of a durable one leaves it away: no durable-subscription-name
        type("sub-destination", "/topic/options-news");
        new Select(field("ack-mode")).selectByVisibleText("auto");
        type("selector", "");
        type("durable-name", "news-later");
        field("subscribe").click();
        waitUntil(d -> sent("SUBSCRIBE").size() == 4);
        driver().findElement(By.cssSelector("#subscriptions li button[aria-label='Unsubscribe from /topic/options-news']")).click();
        waitUntil(d -> sent("UNSUBSCRIBE").size() == 2);
        assertFalse(sent("UNSUBSCRIBE").get(1).contains("durable-subscription-name"), sent("UNSUBSCRIBE").get(1));
        waitForText("subscription-note", "Durable subscription news-later is away");
        disconnect();
    }

    private static String messageMetaFor(String body) {
        return driver().findElements(By.cssSelector("#messages li.message")).stream()
                .filter(li -> li.findElement(By.cssSelector(".text")).getText().equals(body))
                .map(li -> li.findElement(By.cssSelector(".meta")).getText()).findFirst().orElse("");
    }

    @Test
    void fieldsSayWhatIsWrongAndNothingTheBrokerWouldRefuseIsSent() throws Exception {
        // no client id: durable subscriptions are off, and the field says why
        assertFalse(field("durable-name").isEnabled());
        assertTrue(describedBy("durable-name").contains("durable-hint"));
        assertTrue(field("durable-hint").getText().contains("need a client id"), field("durable-hint").getText());
        connect("");
        assertFalse(lastSent("CONNECT").contains("client-id"), lastSent("CONNECT"));
        assertFalse(field("durable-name").isEnabled());
        assertTrue(field("durable-hint").getText().contains("this connection has no client id"), field("durable-hint").getText());

        // prefetch: only for client acks, and a positive whole number
        assertFalse(field("prefetch").isEnabled());
        assertTrue(field("prefetch-hint").getText().startsWith("Only with ack client or client-individual"));
        type("sub-destination", "/queue/options-checked");
        new Select(field("ack-mode")).selectByVisibleText("client-individual");
        assertTrue(field("prefetch").isEnabled());
        for (String bad : List.of("0", "-2", "2.5")) {
            type("prefetch", bad);
            field("subscribe").click();
            waitUntil(d -> field("prefetch-error").isDisplayed());
            assertTrue(field("prefetch-error").getText().contains("whole number of messages, 1 or more"), bad);
            assertEquals("true", field("prefetch").getAttribute("aria-invalid"), bad);
            assertTrue(describedBy("prefetch").contains("prefetch-error"));
            assertEquals("prefetch", focused(), "the wrong field gets the focus");
        }
        assertEquals(List.of(), sent("SUBSCRIBE"), "nothing is sent while a field is wrong");

        // a selector the broker cannot parse for sure: an open string, unbalanced parentheses
        type("prefetch", "2");
        assertFalse(field("prefetch-error").isDisplayed(), "fixing the field clears its message");
        type("selector", "region = 'eu");
        field("subscribe").click();
        waitUntil(d -> field("selector-error").isDisplayed());
        assertTrue(field("selector-error").getText().contains("not closed"), field("selector-error").getText());
        assertTrue(describedBy("selector").contains("selector-error"));
        assertEquals("selector", focused());
        type("selector", "(priority > 3");
        field("subscribe").click();
        waitUntil(d -> field("selector-error").getText().contains("parenthesis"));
        assertEquals(List.of(), sent("SUBSCRIBE"));
        PageChecks.assertAccessible(page);
        NarrowScreen.photographAndCheck(page, "stomp-checks", "subscribe-form");

        // fixed: one SUBSCRIBE with both
        type("selector", "(priority > 3) AND name = 'it''s'");
        field("subscribe").click();
        String subscribe = lastSent("SUBSCRIBE");
        assertTrue(subscribe.contains("\nprefetch-count:2\n"), subscribe);
        assertTrue(subscribe.contains("\nselector:(priority > 3) AND name = 'it''s'\n"), subscribe);
        assertFalse(field("selector-error").isDisplayed());
        disconnect();

        // with a client id: durable only on topics; a name left on a queue is not dropped silently
        connect("console-c2");
        new Select(field("ack-mode")).selectByVisibleText("auto");
        type("selector", "");
        type("sub-destination", "/queue/options-checked");
        assertFalse(field("durable-name").isEnabled());
        assertTrue(field("durable-hint").getText().contains("for /topic/ destinations only"), field("durable-hint").getText());
        type("sub-destination", "/topic/options-checked");
        assertTrue(field("durable-name").isEnabled());
        type("durable-name", "kept");
        type("sub-destination", "/queue/options-checked");
        assertTrue(field("durable-name").isEnabled(), "a typed name stays editable");
        int before = sent("SUBSCRIBE").size();
        field("subscribe").click();
        waitUntil(d -> field("durable-error").isDisplayed());
        assertTrue(field("durable-error").getText().startsWith("Not subscribed: a durable name needs a /topic/ destination."),
                field("durable-error").getText());
        assertTrue(describedBy("durable-name").contains("durable-error"));
        assertEquals("true", field("durable-name").getAttribute("aria-invalid"));
        assertEquals("durable-name", focused());
        assertEquals(before, sent("SUBSCRIBE").size(), "no SUBSCRIBE with a durable name on a queue");
        PageChecks.photographAndCheck(page, "stomp-durable-check");
        NarrowScreen.photographAndCheck(page, "stomp-durable-check", "durable-name");
        disconnect();
    }
}
