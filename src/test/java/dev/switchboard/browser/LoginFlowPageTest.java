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

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Security on, as a browser meets it: the index, login, echo and chat pages say who is logged in,
 * say "log in" (with a way there and back) when a handshake is refused, and chat's nick is the
 * user's name.
 */
class LoginFlowPageTest {

    private static RunningServer server;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(Map.of("security", "on",
                "security.users", "bob:{noop}pw:user,olga:{noop}op:operator|user"));
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        Browser.closeAll(server, browser);
    }

    @BeforeEach
    void loggedOut() {
        browser.driver().get(server.http("login.html").toString());
        browser.driver().manage().deleteAllCookies();
    }

    private WebDriver driver() {
        return browser.driver();
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser.driver()).executeScript(script, args);
    }

    private void waitText(By where, String text) {
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBePresentInElementLocated(where, text));
    }

    /** On login.html (already open): the form filled and sent; the page it goes back to is loaded. */
    private void logInHere(String user, String password) {
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("user")));
        driver().findElement(By.id("user")).sendKeys(user);
        driver().findElement(By.id("password")).sendKeys(password, Keys.ENTER);
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> !d.getCurrentUrl().contains("login.html"));
    }

    private void logIn(String user, String password) {
        driver().get(server.http("login.html").toString());
        logInHere(user, password);
    }

    @Test
    void indexOffersLoginAndLoginPageShowsEitherTheFormOrWhoIsLoggedIn() throws Exception {
        driver().get(server.http("index.html").toString());
        waitText(By.id("session"), "Log in");
        Looks.check(browser, "index-logged-out");
        driver().findElement(By.cssSelector("#session a")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        assertFalse(driver().findElement(By.id("logged-in")).isDisplayed(), "no 'log out' beside the form");
        Looks.check(browser, "login-form");

        logInHere("bob", "pw");
        assertTrue(driver().getCurrentUrl().endsWith("index.html"), driver().getCurrentUrl());
        waitText(By.id("session"), "Logged in as bob");
        Looks.check(browser, "index-logged-in");

        driver().get(server.http("login.html").toString());
        waitText(By.id("logged-in"), "Logged in as bob");
        assertFalse(driver().findElement(By.id("login-form")).isDisplayed(), "no form beside 'logged in as bob'");
        Looks.check(browser, "login-logged-in");
        driver().findElement(By.cssSelector("#logged-in button")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        waitText(By.id("message"), "logged out");
        assertFalse(driver().findElement(By.id("logged-in")).isDisplayed());
    }

    @Test
    void echoRefusedForWantOfALoginSaysLogInAndComesBackAfterIt() throws Exception {
        driver().get(server.http("echo.html").toString());
        waitText(By.id("notice"), "Log in");
        WebElement link = driver().findElement(By.cssSelector("#notice a"));
        assertTrue(link.getAttribute("href").contains("login.html?next=echo.html"), link.getAttribute("href"));
        assertEquals("CLOSED", driver().findElement(By.id("state")).getText());
        assertFalse(driver().findElement(By.id("notice")).getText().contains("Reconnecting"));
        assertEquals(0L, js("return [...document.querySelectorAll('#log td.type')]"
                + ".filter(t => t.textContent === 'retry').length;"), "no retries after a refusal");
        Looks.check(browser, "echo-refused");
        link.click();
        logInHere("bob", "pw");
        assertTrue(driver().getCurrentUrl().endsWith("echo.html"), driver().getCurrentUrl());
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
        waitText(By.id("session"), "Logged in as bob");
    }

    @Test
    void chatJoinWithoutALoginSaysLogIn() throws Exception {
        driver().get(server.http("chat.html").toString());
        waitText(By.id("session"), "Log in");
        driver().findElement(By.id("nick")).sendKeys("someone", Keys.ENTER);
        waitText(By.id("join-error"), "Log in");
        assertNotNull(driver().findElement(By.cssSelector("#join-error a")).getAttribute("href"));
        assertTrue(driver().findElement(By.id("join-view")).isDisplayed());
        Looks.check(browser, "chat-refused");
    }

    @Test
    void chatNickIsTheUsersNameAndLocked() throws Exception {
        logIn("bob", "pw");
        driver().get(server.http("chat.html?room=locked").toString());
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> "bob".equals(d.findElement(By.id("nick")).getAttribute("value")));
        WebElement nick = driver().findElement(By.id("nick"));
        assertEquals("true", nick.getAttribute("readonly"), "a user's nick is locked to their name");
        Looks.check(browser, "chat-join-locked");

        // a page made to send another nick anyway gets the server's refusal, on the join form
        js("const n = document.getElementById('nick'); n.readOnly = false; n.value = 'ops';");
        driver().findElement(By.id("join")).click();
        waitText(By.id("join-error"), "logged in as bob");
        assertTrue(driver().findElement(By.id("join-view")).isDisplayed());

        js("document.getElementById('nick').value = 'bob';");
        driver().findElement(By.id("join")).click();
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        waitText(By.id("messages"), "You joined locked as bob.");
    }

    @Test
    void anOperatorMayChooseAnotherNick() {
        logIn("olga", "op");
        driver().get(server.http("chat.html?room=ops-room").toString());
        browser.waitUpTo(Duration.ofSeconds(10)).until(d -> "olga".equals(d.findElement(By.id("nick")).getAttribute("value")));
        WebElement nick = driver().findElement(By.id("nick"));
        assertEquals(null, nick.getAttribute("readonly"), "an operator may change the nick");
        nick.clear();
        nick.sendKeys("ops", Keys.ENTER);
        browser.waitUpTo(Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        waitText(By.id("messages"), "You joined ops-room as ops.");
    }
}
