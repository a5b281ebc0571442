package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** images.html: one Chromium session uploads through the file input, another sees the image rendered. */
class ImagesPageTest {

    private static RunningServer server;
    private static Browser uploader;
    private static Browser viewer;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        uploader = Browser.start();
        viewer = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, uploader, viewer);
    }

    private static void open(Browser browser, String room) {
        browser.driver().get(server.http("images.html?room=" + room).toString());
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Joined"));
    }

    @Test
    void uploadedImageAppearsRenderedForTheOtherViewer() throws Exception {
        open(uploader, "gallery");
        open(viewer, "gallery");
        Path png = Files.createTempFile("switchboard", ".png");
        Files.write(png, TestImages.png(320, 200));
        try {
            uploader.driver().findElement(By.id("file")).sendKeys(png.toString());
            uploader.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Sent"));
            viewer.waitUpTo(Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#gallery img")).isEmpty());
            WebElement img = viewer.driver().findElement(By.cssSelector("#gallery img"));
            viewer.waitUpTo(Duration.ofSeconds(10)).until(d -> naturalWidth(viewer, img) > 0);
            assertEquals(320L, naturalWidth(viewer, img));
            assertEquals("anonymous", viewer.driver().findElement(By.cssSelector("#gallery .from")).getText());
            viewer.screenshot("images-viewer");
            uploader.screenshot("images-uploader");
        } finally {
            Files.delete(png);
        }
    }

    @Test
    void nonImageIsExplainedInPlainWords() throws Exception {
        open(uploader, "plain-words");
        Path text = Files.createTempFile("switchboard", ".png");
        Files.writeString(text, "this is not really a PNG");
        try {
            uploader.driver().findElement(By.id("file")).sendKeys(text.toString());
            uploader.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("status"), "is not a PNG, JPEG, GIF or WebP image"));
        } finally {
            Files.delete(text);
        }
    }

    @Test
    void latecomerSeesTheRoomsHistory() throws Exception {
        open(uploader, "history-room");
        Path gif = Files.createTempFile("switchboard", ".gif");
        Files.write(gif, TestImages.gif(64, 48));
        try {
            uploader.driver().findElement(By.id("file")).sendKeys(gif.toString());
            uploader.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Sent"));
            open(viewer, "history-room");
            viewer.waitUpTo(Duration.ofSeconds(10)).until(d -> !d.findElements(By.cssSelector("#gallery img")).isEmpty());
            WebElement img = viewer.driver().findElement(By.cssSelector("#gallery img"));
            viewer.waitUpTo(Duration.ofSeconds(10)).until(d -> naturalWidth(viewer, img) == 64);
            assertTrue(viewer.driver().findElement(By.id("status")).getText().contains("last 1 image"));
        } finally {
            Files.delete(gif);
        }
    }

    private static long naturalWidth(Browser browser, WebElement img) {
        return ((Number) ((JavascriptExecutor) browser.driver()).executeScript("return arguments[0].naturalWidth;", img)).longValue();
    }
}
