package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * stomp.html's "Resume from last offset": a topic subscription remembers the last x-epoch/x-offset
 * and SUBSCRIBEs again with x-since and a receipt, showing the RECEIPT's x-recovered.
 */
class StompResumePageTest {

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

    private static WebDriver driver() {
        return page.driver();
    }

    private static void connect(RunningServer on) {
        driver().get(on.http("stomp.html").toString());
        driver().findElement(By.id("connect")).click();
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private static void type(String id, String text) {
        WebElement field = driver().findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private static void subscribe(String destination, boolean resume) {
        type("sub-destination", destination);
        WebElement box = driver().findElement(By.id("resume"));
        if (box.isSelected() != resume) {
            box.sendKeys(Keys.SPACE); // the keyboard works it
        }
        driver().findElement(By.id("subscribe")).click();
    }

    private static void sendFromPage(String destination, String body) {
        type("send-destination", destination);
        type("body", body);
        driver().findElement(By.id("send")).click();
    }

    /** The message bodies shown, oldest first (the page lists the newest on top). */
    private static List<String> bodies() {
        List<String> bodies = new ArrayList<>(driver().findElements(By.cssSelector("#messages li.message .text")).stream()
                .map(WebElement::getText).toList());
        Collections.reverse(bodies);
        return bodies;
    }

    private static String resumeStatus() {
        return driver().findElement(By.id("resume-status")).getText();
    }

    /** Another client publishes to a topic; returns once the broker has receipted every SEND. */
    private static void publishAsOther(RunningServer on, String destination, String... bodies) throws Exception {
        try (WsClient other = WsClient.connect(on.ws("stomp"))) {
            other.sendText("CONNECT\naccept-version:1.2\nhost:x\n\n\0");
            assertTrue(other.nextText().startsWith("CONNECTED"));
            int n = 0;
            for (String body : bodies) {
                n++;
                other.sendText("SEND\ndestination:" + destination + "\nreceipt:p" + n + "\n\n" + body + "\0");
                String receipt = other.nextText();
                assertTrue(receipt.startsWith("RECEIPT\nreceipt-id:p" + n), receipt);
            }
            other.sendText("DISCONNECT\n\n\0");
        }
    }

    /** Waits for a condition of the page, failing with what the page shows. */
    private static void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> String.join(" | ", java.util.stream.Stream.of("state", "resume-status", "connection-info")
                .map(id -> id + "=" + page.driver().findElement(By.id(id)).getText()).toList()))
                .until(condition);
    }

    @Test
    void resumedAfterUnsubscribingGetsWhatWasSentMeanwhileOnce() throws Exception {
        connect(server);
        subscribe("/topic/resume-manual", false);
        sendFromPage("/topic/resume-manual", "first");
        sendFromPage("/topic/resume-manual", "second");
        waitUntil(d -> bodies().equals(List.of("first", "second")));
        page.waitUpTo(WAIT).until(ExpectedConditions.textMatches(By.id("resume-position"),
                java.util.regex.Pattern.compile("^last seen on /topic/resume-manual: \\S+:\\d+$")));

        driver().findElement(By.cssSelector("#subscriptions button")).click(); // unsubscribe
        publishAsOther(server, "/topic/resume-manual", "while away <b>1</b>", "while away 2");
        subscribe("/topic/resume-manual", true);

        waitUntil(d -> resumeStatus().startsWith("Resumed /topic/resume-manual after offset "));
        assertTrue(resumeStatus().contains("x-recovered:true"), resumeStatus());
        waitUntil(d -> bodies().size() == 4);
        assertEquals(List.of("first", "second", "while away <b>1</b>", "while away 2"), bodies());
        assertTrue(driver().findElements(By.cssSelector("#messages b")).isEmpty(), "bodies are text");
        page.waitUpTo(WAIT).until(ExpectedConditions.textMatches(By.id("frames"),
                java.util.regex.Pattern.compile("→ SUBSCRIBE[^←→]*x-since:")));
        PageChecks.photographAndCheck(page, "stomp-resumed");
    }

    @Test
    void resumingSubscriptionRecoversWhatADropMissed() throws Exception {
        connect(server);
        subscribe("/topic/resume-drop", true);
        waitUntil(d -> resumeStatus().equals("Nothing seen yet on /topic/resume-drop: subscribed from now."));
        sendFromPage("/topic/resume-drop", "before");
        waitUntil(d -> bodies().equals(List.of("before")));

        try (PageChecks.Hold hold = PageChecks.hold(page)) {
            server.server().application().connections().closeAll(1012, "restarting");
            waitUntil(d -> !"OPEN".equals(d.findElement(By.id("state")).getText()));
            publishAsOther(server, "/topic/resume-drop", "missed 1", "missed 2", "missed 3");
            hold.release();
        }

        waitUntil(d -> resumeStatus().startsWith("Resumed /topic/resume-drop after offset "));
        waitUntil(d -> bodies().size() == 4);
        sendFromPage("/topic/resume-drop", "after");
        waitUntil(d -> bodies().size() == 5);
        assertEquals(List.of("before", "missed 1", "missed 2", "missed 3", "after"), bodies());
    }

    @Test
    void afterARestartTheReceiptSaysNotRecovered() throws Exception {
        RunningServer first = RunningServer.start();
        int port = first.port();
        RunningServer second = null;
        try {
            connect(first);
            subscribe("/topic/resume-restart", true);
            sendFromPage("/topic/resume-restart", "old");
            waitUntil(d -> bodies().equals(List.of("old")));

            try (PageChecks.Hold hold = PageChecks.hold(page)) {
                first.close();
                waitUntil(d -> !"OPEN".equals(d.findElement(By.id("state")).getText()));
                second = RunningServer.start(Map.of("port", String.valueOf(port)));
                publishAsOther(second, "/topic/resume-restart", "lost to the old epoch");
                hold.release();
            }

            waitUntil(d -> resumeStatus().startsWith("Could not resume /topic/resume-restart"));
            assertTrue(resumeStatus().contains("x-recovered:false"), resumeStatus());
            sendFromPage("/topic/resume-restart", "new");
            waitUntil(d -> bodies().contains("new"));
            assertEquals(List.of("old", "new"), bodies());
            PageChecks.photographAndCheck(page, "stomp-not-recovered");
        } finally {
            Browser.closeAll(second);
            first.close();
        }
    }
}
