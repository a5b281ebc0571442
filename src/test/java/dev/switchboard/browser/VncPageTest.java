package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.XvncServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vnc.html (noVNC) in Chromium, through the bridge, to real Xvnc desktops. */
class VncPageTest {

    private static XvncServer open;
    private static XvncServer locked;
    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        open = XvncServer.start();
        locked = XvncServer.start("s3cret");
        server = RunningServer.start(Map.of("vnc.targets", open.target("desk") + "," + locked.target("locked")));
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
            server.close();
        } finally {
            open.close();
            locked.close();
        }
    }

    private long distinctColours() {
        Object count = ((JavascriptExecutor) browser.driver()).executeScript(
                "const c = document.querySelector('#screen canvas');"
                        + "if (!c || !c.width) return 0;"
                        + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "const seen = new Set(); for (let i = 0; i < d.length; i += 4) seen.add(d[i] << 16 | d[i+1] << 8 | d[i+2]);"
                        + "return seen.size;");
        return ((Number) count).longValue();
    }

    @Test
    void pickedDesktopIsShownOnTheCanvas() throws Exception {
        browser.driver().get(server.http("vnc.html").toString());
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> new Select(d.findElement(By.id("target"))).getOptions().size() == 2);
        new Select(browser.driver().findElement(By.id("target"))).selectByVisibleText("desk");
        browser.driver().findElement(By.id("connect")).click();
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
        browser.waitUpTo(Duration.ofSeconds(15)).until(d -> distinctColours() > 1);
        assertTrue(distinctColours() > 1, "the desktop (xeyes) is drawn, not a blank canvas");
        browser.screenshot("vnc-desktop");
        browser.driver().findElement(By.id("disconnect")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "DISCONNECTED"));
        assertEquals("Disconnected from desk (you disconnected).", browser.driver().findElement(By.id("status")).getText());
    }

    @Test
    void passwordIsAskedForWhenTheServerWantsOne() throws Exception {
        browser.driver().get(server.http("vnc.html?target=locked&connect").toString());
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
        browser.driver().findElement(By.id("password")).sendKeys("s3cret");
        browser.driver().findElement(By.cssSelector("#password-form button")).click();
        browser.waitUpTo(Duration.ofSeconds(15)).until(ExpectedConditions.textToBe(By.id("state"), "CONNECTED"));
        browser.waitUpTo(Duration.ofSeconds(15)).until(d -> distinctColours() > 1);
        browser.screenshot("vnc-password");
        browser.driver().findElement(By.id("disconnect")).click();
    }
}
