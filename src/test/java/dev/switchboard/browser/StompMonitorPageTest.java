package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * monitor.html: against the running server as it is (whatever stomp-stats reports, nothing it
 * leaves out shows as "undefined"), and the issue-15 fields (store, persistent / unacked /
 * redelivered counts, durable subscriptions) rendered from a fixture: after the page has loaded,
 * the test replaces the page's window.fetch with one that answers {@code stomp-stats} with the
 * fixture JSON (every other URL still goes to the server), so the page's next poll (within a
 * second) renders it. That tests the rendering only; the server's own fields are tested end to end
 * once the broker reports them.
 */
class StompMonitorPageTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RunningServer server;
    private static Browser page;

    /** What an issue-15 server reports, with names from clients that must stay text. */
    private static final String FIXTURE = """
            {"sessions": 3, "time": 0, "offset": 0, "limit": 500,
             "totals": {"destinations": 4, "queues": 2, "topics": 2, "queuedMessages": 7, "queuedBytes": 900,
                        "messagesIn": 160, "messagesOut": 140, "persistentMessages": 5, "durableSubscriptions": 2},
             "store": {"state": "DOWN", "sync": "always", "problem": "disk full: /data/<b>switchboard</b>"},
             "destinations": [
               {"destination": "/queue/orders", "kind": "queue", "subscribers": 2, "depth": 7, "bytes": 700,
                "messagesIn": 120, "messagesOut": 113, "persistent": 5, "unacked": 3, "redelivered": 4},
               {"destination": "/queue/<img src=x onerror=window.__xss=1>", "kind": "queue", "subscribers": 0,
                "depth": 0, "bytes": 0, "messagesIn": 1, "messagesOut": 1},
               {"destination": "/topic/prices", "kind": "topic", "subscribers": 0, "depth": 0, "bytes": 0,
                "messagesIn": 30, "messagesOut": 20, "durable": 2, "unacked": 1},
               {"destination": "/topic/chat", "kind": "topic", "subscribers": 1, "depth": 0, "bytes": 0,
                "messagesIn": 9, "messagesOut": 6, "durable": 0, "unacked": 0}],
             "durableSubscriptions": [
               {"clientId": "desk-1", "name": "eu-prices", "topic": "/topic/prices",
                "selector": "region = 'eu' AND <b>x</b> IS NULL", "active": true, "backlog": 0, "unacked": 1, "persistent": 0},
               {"clientId": "<img src=x onerror=window.__xss=2>", "name": "all-prices", "topic": "/topic/prices",
                "active": false, "backlog": 9, "unacked": 0, "persistent": 6}]}
            """;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        page = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, page);
    }

    private static WebDriver driver() {
        return page.driver();
    }

    private static JavascriptExecutor js() {
        return (JavascriptExecutor) driver();
    }

    private static void waitUntil(Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> "state=" + driver().findElement(By.id("state")).getText()
                + " | page: " + bodyText()).until(condition);
    }

    private static String bodyText() {
        return (String) js().executeScript("return document.body.innerText;");
    }

    private static void assertNothingUndefined() {
        String text = bodyText();
        for (String leak : List.of("undefined", "NaN", "null", "[object")) {
            assertFalse(text.contains(leak), () -> "'" + leak + "' shown: " + text);
        }
    }

    /** The cells of a table's row for this destination, as text (read at once: the page re-renders each second). */
    @SuppressWarnings("unchecked")
    private static List<String> cells(String table, String destination) {
        return (List<String>) js().executeScript("return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]"
                + ".filter(r => r.dataset.destination === arguments[1]).map(r => [...r.cells].map(c => c.textContent))[0];",
                table, destination);
    }

    /** Each row of a table body as its cells' text, and then the class of its badge when it has one. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(String table) {
        return (List<List<String>>) js().executeScript("return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr')]"
                + ".map(r => [...r.cells].map(c => c.textContent).concat(r.querySelector('.badge') ? [r.querySelector('.badge').className] : []));",
                table);
    }

    @SuppressWarnings("unchecked")
    private static List<String> headings(String table) {
        return (List<String>) js().executeScript(
                "return [...document.querySelectorAll('#' + arguments[0] + ' thead th')].map(th => th.textContent);", table);
    }

    private static String stompFrame(String command, String... headers) {
        return command + "\n" + String.join("\n", headers) + "\n\n\0";
    }

    @Test
    void onTheServerAsItIsTheMonitorShowsWhatIsReportedAndNothingUndefined() throws Exception {
        try (WsClient stomp = WsClient.connect(server.ws("stomp"))) {
            stomp.sendText(stompFrame("CONNECT", "accept-version:1.2", "host:x"));
            assertTrue(stomp.nextText().startsWith("CONNECTED"));
            stomp.sendText(stompFrame("SUBSCRIBE", "id:q", "destination:/queue/monitor-q", "ack:client"));
            stomp.sendText(stompFrame("SUBSCRIBE", "id:t", "destination:/topic/monitor-t"));
            stomp.sendText("SEND\ndestination:/queue/monitor-q\n\nfor the queue\0");
            stomp.sendText("SEND\ndestination:/topic/monitor-t\nreceipt:sent\n\nfor the topic\0");
            List<String> got = new ArrayList<>();
            while (got.stream().noneMatch(f -> f.startsWith("RECEIPT")) || got.stream().filter(f -> f.startsWith("MESSAGE")).count() < 2) {
                got.add(stomp.nextText());
            }

            driver().get(server.http("monitor.html").toString());
            waitUntil(d -> "LIVE".equals(d.findElement(By.id("state")).getText())
                    && !d.findElements(By.cssSelector("#queues tr[data-destination='/queue/monitor-q']")).isEmpty()
                    && !d.findElements(By.cssSelector("#topics tr[data-destination='/topic/monitor-t']")).isEmpty());
            String before = driver().findElement(By.id("updated")).getText();
            waitUntil(d -> !before.equals(d.findElement(By.id("updated")).getText())); // a second sample: rates

            JsonObject stats = Json.createReader(new StringReader(server.get("stomp-stats").body())).readObject();
            JsonObject queue = stats.getJsonArray("destinations").stream().map(JsonValue::asJsonObject)
                    .filter(d -> d.getString("destination").equals("/queue/monitor-q")).findFirst().orElseThrow();
            List<String> queueHeadings = new ArrayList<>(List.of("Destination", "Consumers", "Depth"));
            for (String[] optional : new String[][] {{"persistent", "Persistent"}, {"unacked", "Unacked"}, {"redelivered", "Redelivered"}}) {
                if (queue.containsKey(optional[0])) {
                    queueHeadings.add(optional[1]);
                }
            }
            queueHeadings.addAll(List.of("In", "Out", "In/s", "Out/s"));
            assertEquals(queueHeadings, headings("queues"), "the columns stomp-stats reports: " + queue);
            List<String> row = cells("queues", "/queue/monitor-q");
            assertEquals(List.of("/queue/monitor-q", "1", "0"), row.subList(0, 3), row.toString()); // one consumer, none waiting
            assertTrue(row.get(row.size() - 1).matches("\\d+\\.\\d"), row.toString());
            JsonObject topicStats = stats.getJsonArray("destinations").stream().map(JsonValue::asJsonObject)
                    .filter(d -> d.getString("destination").equals("/topic/monitor-t")).findFirst().orElseThrow();
            List<String> topicHeadings = new ArrayList<>(List.of("Destination", "Subscribers"));
            for (String[] optional : new String[][] {{"durable", "Durable"}, {"unacked", "Unacked"}}) {
                if (topicStats.containsKey(optional[0])) {
                    topicHeadings.add(optional[1]);
                }
            }
            topicHeadings.addAll(List.of("In", "Out", "In/s", "Out/s"));
            assertEquals(topicHeadings, headings("topics"), "the columns stomp-stats reports: " + topicStats);
            List<String> topic = cells("topics", "/topic/monitor-t");
            assertEquals("1", topic.get(1), topic.toString());
            boolean keepsTopics = stats.getJsonArray("destinations").stream().map(JsonValue::asJsonObject)
                    .anyMatch(d -> "topic".equals(d.getString("kind")) && d.containsKey("durable"));
            assertEquals(keepsTopics, driver().findElement(By.id("topics-kept")).isDisplayed());
            assertEquals(!stats.containsKey("store"), !driver().findElement(By.id("store")).isDisplayed());
            assertEquals(!stats.containsKey("durableSubscriptions"), !driver().findElement(By.id("durable-section")).isDisplayed());
            assertEquals(stats.getJsonObject("totals").containsKey("persistentMessages"),
                    driver().findElement(By.id("persistent-fact")).isDisplayed());
            assertNothingUndefined();
            PageChecks.photographAndCheck(page, "stomp-monitor-live");
            NarrowScreen.photographAndCheck(page, "stomp-monitor-live");
            stomp.sendText(stompFrame("DISCONNECT"));
        }
    }

    @Test
    void rendersTheStoreQueueCountsAndDurableSubscriptionsFromAFixture() throws Exception {
        driver().get(server.http("monitor.html").toString());
        waitUntil(d -> "LIVE".equals(d.findElement(By.id("state")).getText()));
        // from now on the page's polls of stomp-stats get the fixture (with the time of each poll)
        js().executeScript(
                "window.__fixture = JSON.parse(arguments[0]);"
                        + "const realFetch = window.fetch.bind(window);"
                        + "window.fetch = (url, options) => String(url).split('?')[0].endsWith('stomp-stats')"
                        + "  ? Promise.resolve(new Response(JSON.stringify({ ...window.__fixture, time: Date.now() }),"
                        + "      { status: 200, headers: { 'Content-Type': 'application/json' } }))"
                        + "  : realFetch(url, options);", FIXTURE);
        waitUntil(d -> rows("durable").size() == 2);

        // the store, DOWN: an alert with the problem, as text
        WebElement store = driver().findElement(By.id("store"));
        assertTrue(store.isDisplayed());
        assertEquals("DOWN", store.getAttribute("data-state"));
        assertEquals("alert", store.getAttribute("role"));
        assertTrue(store.getText().startsWith("Message store: DOWN"), store.getText());
        assertTrue(store.getText().contains("Problem: disk full: /data/<b>switchboard</b>"), store.getText());
        assertTrue(store.getText().contains("sync: always"), store.getText());

        assertEquals("5", driver().findElement(By.id("persistent-count")).getText());
        assertEquals("2", driver().findElement(By.id("durable-count")).getText());
        assertEquals("4", driver().findElement(By.id("destination-count")).getText());

        assertEquals(List.of("Destination", "Consumers", "Depth", "Persistent", "Unacked", "Redelivered", "In", "Out", "In/s", "Out/s"),
                headings("queues"));
        assertEquals(List.of("/queue/orders", "2", "7", "5", "3", "4", "120", "113"), cells("queues", "/queue/orders").subList(0, 8));
        // a queue the server reports without the new counts: dashes, not "undefined"
        assertEquals(List.of("/queue/<img src=x onerror=window.__xss=1>", "0", "0", "–", "–", "–", "1", "1"),
                cells("queues", "/queue/<img src=x onerror=window.__xss=1>").subList(0, 8));
        assertEquals(List.of("Destination", "Subscribers", "Durable", "Unacked", "In", "Out", "In/s", "Out/s"), headings("topics"));
        // a topic its last subscriber has left: still listed with its counts
        assertEquals(List.of("/topic/prices", "0", "2", "1", "30", "20"), cells("topics", "/topic/prices").subList(0, 6));
        assertTrue(driver().findElement(By.id("topics-kept")).isDisplayed(), "says topics are kept");

        assertEquals(List.of("Client id", "Name", "Topic", "Selector", "State", "Backlog", "Unacked", "Persistent"), headings("durable"));
        assertEquals(List.of(
                List.of("desk-1", "eu-prices", "/topic/prices", "region = 'eu' AND <b>x</b> IS NULL", "active", "0", "1", "0", "badge active"),
                List.of("<img src=x onerror=window.__xss=2>", "all-prices", "/topic/prices", "none", "away", "9", "0", "6", "badge away")),
                rows("durable"));
        assertTrue(driver().findElements(By.cssSelector("main img, main b")).isEmpty(), "names from clients are text");
        assertNull(js().executeScript("return window.__xss;"));
        assertNothingUndefined();
        PageChecks.photographAndCheck(page, "stomp-monitor-fixture");
        NarrowScreen.photographAndCheck(page, "stomp-monitor-fixture");
        NarrowScreen.photographAndCheck(page, "stomp-monitor-fixture-durable", "durable-section");

        // the store comes back: the banner says so (a status, no longer an alert)
        js().executeScript("window.__fixture.store = { state: 'UP', sync: 'batch' };");
        waitUntil(d -> "UP".equals(d.findElement(By.id("store")).getAttribute("data-state")));
        assertEquals("status", store.getAttribute("role"));
        assertTrue(store.getText().startsWith("Message store: UP"), store.getText());
        assertTrue(store.getText().contains("sync: batch"), store.getText());
        assertFalse(store.getText().contains("Problem"), store.getText());

        // an empty list of durable subscriptions says so; the section stays (the server reports them)
        js().executeScript("window.__fixture.durableSubscriptions = [];");
        waitUntil(d -> d.findElement(By.id("durable-empty")).isDisplayed());
        assertTrue(driver().findElement(By.id("durable-section")).isDisplayed());
        assertNothingUndefined();
    }

    @Test
    void aDurableSubscriptionMadeOnTheConsoleShowsOnTheMonitorAwayWithItsBacklog() throws Exception {
        driver().get(server.http("stomp.html").toString());
        driver().findElement(By.id("client-id")).sendKeys("monitor-desk");
        driver().findElement(By.id("connect")).click();
        waitUntil(d -> "OPEN".equals(d.findElement(By.id("state")).getText()));
        WebElement destination = driver().findElement(By.id("sub-destination"));
        destination.clear();
        destination.sendKeys("/topic/monitor-durable");
        driver().findElement(By.id("selector")).sendKeys("kind = 'news'");
        driver().findElement(By.id("durable-name")).sendKeys("evening");
        driver().findElement(By.id("subscribe")).click();
        waitUntil(d -> d.findElement(By.id("subscriptions")).getText().contains("durable-subscription-name:evening"));
        driver().findElement(By.cssSelector("#subscriptions button[aria-label='Unsubscribe from /topic/monitor-durable']")).click();
        waitUntil(d -> d.findElement(By.id("subscription-note")).getText().contains("is away"));
        driver().findElement(By.id("disconnect")).click();

        try (WsClient other = WsClient.connect(server.ws("stomp"))) {
            other.sendText(stompFrame("CONNECT", "accept-version:1.2", "host:x"));
            assertTrue(other.nextText().startsWith("CONNECTED"));
            other.sendText("SEND\ndestination:/topic/monitor-durable\nkind:news\n\nkept\0");
            other.sendText("SEND\ndestination:/topic/monitor-durable\nkind:sport\nreceipt:sent\n\nnot selected\0");
            assertTrue(other.nextText().startsWith("RECEIPT"));
            other.sendText(stompFrame("DISCONNECT"));
        }

        driver().get(server.http("monitor.html").toString());
        waitUntil(d -> rows("durable").stream().anyMatch(r -> r.get(1).equals("evening")));
        List<String> row = rows("durable").stream().filter(r -> r.get(1).equals("evening")).findFirst().orElseThrow();
        assertEquals(List.of("monitor-desk", "evening", "/topic/monitor-durable", "kind = 'news'", "away", "1"), row.subList(0, 6),
                "away, one message kept (the selector left the other out): " + row);
        assertEquals(List.of("/topic/monitor-durable", "0", "1"), cells("topics", "/topic/monitor-durable").subList(0, 3),
                "the topic stays listed with no subscriber and one durable subscription");
        assertNothingUndefined();
        NarrowScreen.photographAndCheck(page, "stomp-monitor-durable-away", "durable-section");
    }
}
