package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * images.html after a dropped connection: it reconnects with {@code ?since=EPOCH:OFFSET} and adds
 * the images it missed exactly once (same server), or reloads the gallery and says so (restart).
 */
class ImagesRecoveryPageTest {

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

    private static void open(RunningServer on, String room) {
        page.driver().get(on.http("images.html?room=" + room).toString());
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Joined"));
    }

    /** Another client drops images into the room; returns once the server has acknowledged each. */
    private static void postAsOther(RunningServer on, String room, byte[]... images) throws Exception {
        try (WsClient other = WsClient.connect(on.ws("images/" + room))) {
            for (byte[] image : images) {
                other.sendBinary(image);
                JsonObject reply;
                do {
                    WsClient.Message message = other.next(); // the welcome, maybe history, then the ack
                    reply = message.isText() ? Json.createReader(new StringReader(message.text())).readObject() : null;
                } while (reply == null || !"ack".equals(reply.getString("type")));
            }
            other.closeNormally();
        }
    }

    /** The natural widths of the gallery's images once each has loaded, newest first. */
    @SuppressWarnings("unchecked")
    private static List<Long> widths() {
        return ((List<Object>) ((JavascriptExecutor) page.driver()).executeScript(
                "return [...document.querySelectorAll('#gallery img')].map(i => i.naturalWidth);"))
                .stream().map(w -> ((Number) w).longValue()).toList();
    }

    private static String recoveryLine() {
        return page.driver().findElement(By.id("recovery")).getText();
    }

    private static void uploadFromPage(byte[] image) throws Exception {
        Path file = Files.createTempFile("switchboard", ".png");
        try {
            Files.write(file, image);
            page.driver().findElement(By.id("file")).sendKeys(file.toString());
            page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Sent"));
        } finally {
            Files.delete(file);
        }
    }

    /** Waits for a condition of the page, failing with what the page shows. */
    private static void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
        page.waitUpTo(WAIT).withMessage(() -> String.join(" | ", java.util.stream.Stream.of("state", "status", "recovery")
                .map(id -> id + "=" + page.driver().findElement(By.id(id)).getText()).toList()))
                .until(condition);
    }

    @Test
    void missedImagesAreAddedExactlyOnceAfterADrop() throws Exception {
        open(server, "recover-images");
        postAsOther(server, "recover-images", TestImages.png(31, 20));
        waitUntil(d -> widths().equals(List.of(31L)));
        uploadFromPage(TestImages.png(32, 20)); // our own: the server never echoes it, a recovery must not repeat it

        try (PageChecks.Hold hold = PageChecks.hold(page)) {
            server.server().application().connections().closeAll(1012, "restarting");
            page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Connection lost"));
            postAsOther(server, "recover-images", TestImages.png(41, 20), TestImages.gif(42, 20));
            hold.release();
        }

        waitUntil(d -> recoveryLine().equals("Reconnected — 2 missed images recovered"));
        waitUntil(d -> widths().equals(List.of(42L, 41L, 32L, 31L)));
        String url = PageChecks.lastUrl(page);
        assertTrue(url.matches(".*/images/recover-images\\?since=[^:]+:\\d+$"), url);
        assertEquals("status", page.driver().findElement(By.id("recovery")).getAttribute("role"));

        postAsOther(server, "recover-images", TestImages.png(51, 20)); // live again
        waitUntil(d -> widths().equals(List.of(51L, 42L, 41L, 32L, 31L)));
        PageChecks.photographAndCheck(page, "images-recovered");
    }

    @Test
    void restartedServerCannotRecoverSoTheGalleryIsReloaded() throws Exception {
        RunningServer first = RunningServer.start();
        int port = first.port();
        RunningServer second = null;
        try {
            open(first, "reload-images");
            postAsOther(first, "reload-images", TestImages.png(61, 20));
            waitUntil(d -> widths().equals(List.of(61L)));

            try (PageChecks.Hold hold = PageChecks.hold(page)) {
                first.close();
                page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Connection lost"));
                second = RunningServer.start(Map.of("port", String.valueOf(port)));
                postAsOther(second, "reload-images", TestImages.png(71, 20));
                hold.release();
            }

            waitUntil(d -> recoveryLine().equals(
                    "Reconnected — could not recover what was missed; the room was reloaded"));
            waitUntil(d -> widths().equals(List.of(71L)));
            PageChecks.photographAndCheck(page, "images-reloaded");
        } finally {
            Browser.closeAll(second);
            first.close();
        }
    }
}
