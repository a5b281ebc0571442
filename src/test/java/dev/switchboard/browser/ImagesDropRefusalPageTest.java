package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * images.html off the happy path: a refused upload never stays in the sender's gallery as if sent;
 * a file the server would refuse (not an image, larger than the welcome's maxBytes) is refused on
 * the page before a byte is sent, in sizes a person reads; nothing vanishes without a word.
 */
class ImagesDropRefusalPageTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RunningServer server;
    private static Browser page;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(Map.of("images.max-bytes", "8MiB"));
        page = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, page);
    }

    private static void open(String room) {
        page.driver().get(server.http("images.html?room=" + room).toString());
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Joined"));
        // counts what the page sends from here on
        ((JavascriptExecutor) page.driver()).executeScript("window.__sent = 0; const send = WebSocket.prototype.send;"
                + "WebSocket.prototype.send = function (d) { window.__sent += 1; return send.call(this, d); };");
    }

    private static long sent() {
        return ((Number) ((JavascriptExecutor) page.driver()).executeScript("return window.__sent;")).longValue();
    }

    private static Path file(String name, byte[] bytes) throws Exception {
        Path dir = Files.createTempDirectory("switchboard-drop");
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static void choose(Path file) {
        page.driver().findElement(By.id("file")).sendKeys(file.toString());
    }

    private static int galleryItems() {
        return page.driver().findElements(By.cssSelector("#gallery li")).size();
    }

    @Test
    void aTextFileNamedPngIsRefusedBeforeSendingAndLeavesNoBrokenImage() throws Exception {
        open("fake-png");
        Path fake = file("fake.png", "this is not really a PNG".getBytes());
        choose(fake);
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"),
                "fake.png is not a PNG, JPEG, GIF or WebP image. Not sent."));
        assertEquals(0, galleryItems(), "no 'Image from you' for a refused file");
        assertEquals(0, sent(), "refused on the page: nothing sent");
        PageChecks.photographAndCheck(page, "images-refused-type");
    }

    @Test
    void aNineMebibyteImageIsRefusedOnThePageInMebibytes() throws Exception {
        open("too-big");
        Path big = file("big.png", Arrays.copyOf(TestImages.png(10, 10), 9 * 1024 * 1024));
        choose(big);
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"),
                "big.png: 9 MiB; the limit is 8 MiB"));
        assertEquals(0, galleryItems());
        assertEquals(0, sent());
        assertEquals("OPEN", MediaPages.text(page, "state"), "the connection is untouched");
        MediaPages.checkAt(page, "images-refused-size", 400);
    }

    @Test
    void whatTheServerRefusesIsTakenOutOfTheGallery() throws Exception {
        open("server-refuses");
        // a PNG signature and then nothing an image decoder takes: only the server can tell
        Path broken = file("broken.png", Arrays.copyOf(TestImages.png(4, 4), 30));
        choose(broken);
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"),
                "broken.png: That file is not a PNG, JPEG, GIF or WebP image"));
        page.waitUpTo(WAIT).until(d -> galleryItems() == 0);
        assertEquals(1, sent());
        Path good = file("good.png", TestImages.png(40, 30));
        choose(good);
        page.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Sent good.png"));
        assertEquals(1, galleryItems());
        assertTrue(page.driver().findElement(By.cssSelector("#gallery li")).getAttribute("class").contains("mine"));
    }
}
