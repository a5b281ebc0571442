package dev.switchboard.browser;

import dev.switchboard.testing.Browser;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What users of a remote console take for granted: the target's browser by name and version, a
 * multi-line expression (Shift+Enter), results in the order they were asked, and a Detach button
 * on the target page.
 */
class ConsoleExtrasPageTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static RunningServer server;
    private static Browser target;
    private static Browser operator;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start();
        target = Browser.start();
        operator = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, target, operator);
    }

    private static List<String> results() {
        return operator.driver().findElements(By.cssSelector("#results > li")).stream()
                .map(li -> li.findElement(By.cssSelector(".code")).getText() + " = "
                        + li.findElement(By.cssSelector("ul li .value")).getText()).toList();
    }

    private static void awaitAnswered(int count) {
        operator.waitUpTo(WAIT).until(d -> d.findElements(By.cssSelector("#results > li ul li .value")).size() == count
                && d.findElements(By.cssSelector("#results .value.waiting")).isEmpty());
    }

    @Test
    void browserNamesMultiLineInputOldestFirstAndDetach() throws Exception {
        target.driver().get(server.http("console.html?target").toString());
        target.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("target-id"), "Attached as"));
        operator.driver().get(server.http("console.html").toString());
        operator.waitUpTo(WAIT).until(d -> d.findElements(By.cssSelector("#targets tbody tr")).size() == 1);

        WebElement agent = operator.driver().findElement(By.cssSelector("#targets tbody td.agent"));
        assertTrue(agent.getText().matches("(Chrome|Chromium|Headless Chrome) \\d+(\\.\\d+)*.*"), agent.getText());
        assertTrue(agent.getAttribute("title").startsWith("Mozilla/5.0"), "the whole user agent on hover");

        WebElement code = operator.driver().findElement(By.id("code"));
        assertEquals("textarea", code.getTagName());
        code.sendKeys("const base = 2;", Keys.chord(Keys.SHIFT, Keys.ENTER), "base * 21");
        assertEquals("const base = 2;\nbase * 21", code.getAttribute("value"), "Shift+Enter is a new line, not Run");
        code.sendKeys(Keys.ENTER);
        awaitAnswered(1);
        code.sendKeys("'second'", Keys.ENTER);
        awaitAnswered(2);
        code.sendKeys("3", Keys.ENTER);
        awaitAnswered(3);
        assertEquals(List.of("const base = 2;\nbase * 21 = 42", "'second' = second", "3 = 3"), results(), "oldest first");
        PageChecks.photographAndCheck(operator, "console-extras-operator");
        MediaPages.checkAt(operator, "console-extras-operator", 400);

        target.driver().findElement(By.id("detach")).click();
        target.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "DETACHED"));
        operator.waitUpTo(WAIT).until(d -> d.findElements(By.cssSelector("#targets tbody tr")).isEmpty());
        assertEquals("Attach", target.driver().findElement(By.cssSelector("#label-form button[type=submit]")).getText());
        PageChecks.photographAndCheck(target, "console-extras-detached");
        target.driver().findElement(By.cssSelector("#label-form button[type=submit]")).click();
        target.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "ATTACHED"));
        operator.waitUpTo(WAIT).until(d -> d.findElements(By.cssSelector("#targets tbody tr")).size() == 1);
    }
}
