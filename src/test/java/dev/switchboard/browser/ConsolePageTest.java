package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An operator page driving two real Chromium target pages through the console endpoint. */
class ConsolePageTest {

    private static RunningServer server;
    private static Browser targets;
    private static Browser operator;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        targets = Browser.start();
        operator = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, targets, operator);
    }

    private static void openTarget(String label) {
        targets.driver().get(server.http("console.html?target").toString());
        WebElement field = targets.driver().findElement(By.id("label"));
        field.clear();
        field.sendKeys(label, Keys.ENTER);
        targets.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(By.id("target-id"), "Attached as"));
    }

    private static List<WebElement> answers() {
        return operator.driver().findElements(By.cssSelector("#results > li:last-child ul li .value"));
    }

    private static void run(String code) {
        operator.driver().findElement(By.id("code")).sendKeys(code, Keys.ENTER);
        operator.waitUpTo(Duration.ofSeconds(10)).until(d -> answers().size() == 2
                && answers().stream().noneMatch(v -> v.getText().equals("waiting…")));
    }

    @Test
    void operatorGetsUserAgentAndArithmeticFromBothTabs() throws Exception {
        openTarget("first tab");
        targets.driver().switchTo().newWindow(WindowType.TAB);
        openTarget("second tab");
        assertTrue(targets.driver().findElement(By.cssSelector("#target-view h1")).getText().contains("driven remotely"));

        operator.driver().get(server.http("console.html").toString());
        operator.waitUpTo(Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#targets tbody tr")).size() == 2);
        run("navigator.userAgent");
        for (WebElement answer : answers()) {
            assertTrue(answer.getText().contains("Chrome/"), answer.getText());
        }
        run("5+5");
        assertEquals(List.of("10", "10"), answers().stream().map(WebElement::getText).toList());
        run("({a: 1, self: window.location.pathname, nested: [1, 2]})");
        assertTrue(answers().get(0).getText().contains("\"nested\":[1,2]"), answers().get(0).getText());
        run("(() => { const o = {}; o.me = o; return o; })()");
        assertEquals("{\"me\":\"[Circular]\"}", answers().get(0).getText());
        run("noSuchThing");
        assertTrue(answers().get(0).getText().startsWith("ReferenceError"), answers().get(0).getText());
        run("'<img src=x onerror=alert(1)>'");
        assertEquals("<img src=x onerror=alert(1)>", answers().get(0).getText());
        assertTrue(operator.driver().findElements(By.cssSelector("#results img")).isEmpty(), "results are text, never HTML");

        // ↑ recalls the last expression
        WebElement code = operator.driver().findElement(By.id("code"));
        code.sendKeys(Keys.ARROW_UP);
        assertEquals("'<img src=x onerror=alert(1)>'", code.getAttribute("value"));
        operator.screenshot("console-operator");
        targets.screenshot("console-target");
    }
}
