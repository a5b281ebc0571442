package dev.switchboard.browser;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.Browser;
import dev.switchboard.testing.GridNodes;
import dev.switchboard.testing.RunningServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * chat.html in two Chromium windows on two nodes of one grid ({@code cluster=on}): alice's page is
 * served by node A and talks to A, bob's by node B. They are in one room: one member list, one
 * order of messages, private messages across nodes, and a leave seen on the other node.
 */
class ClusterChatPageTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static RunningServer nodeA;
    private static RunningServer nodeB;
    private static Browser alice;
    private static Browser bob;

    @BeforeAll
    static void start() throws Exception {
        int gridA = GridNodes.freePort();
        int gridB = GridNodes.freePort();
        String members = "127.0.0.1:" + gridA + ",127.0.0.1:" + gridB;
        String name = "cluster-chat-page-" + ProcessHandle.current().pid();
        CompletableFuture<RunningServer> startA = CompletableFuture.supplyAsync(() -> node(name, gridA, members));
        CompletableFuture<RunningServer> startB = CompletableFuture.supplyAsync(() -> node(name, gridB, members));
        CompletableFuture<Browser> startAlice = CompletableFuture.supplyAsync(ClusterChatPageTest::browser);
        CompletableFuture<Browser> startBob = CompletableFuture.supplyAsync(ClusterChatPageTest::browser);
        try {
            nodeA = startA.get();
            nodeB = startB.get();
        } finally {
            alice = startAlice.get();
            bob = startBob.get();
        }
        Await.until("both nodes in one grid", Duration.ofSeconds(60),
                () -> GridNodes.members(nodeA.http("health")) == 2 && GridNodes.members(nodeB.http("health")) == 2);
    }

    private static RunningServer node(String name, int gridPort, String members) {
        return RunningServer.start(Map.of("cluster", "on", "cluster.name", name,
                "cluster.port", Integer.toString(gridPort), "cluster.members", members));
    }

    private static Browser browser() {
        try {
            return Browser.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        try {
            Browser.closeAll(nodeA, alice, bob);
        } finally {
            if (nodeB != null) {
                nodeB.close();
            }
        }
    }

    /** Opens chat.html on {@code node} in the browser's current tab and joins {@code room} as {@code nick}. */
    private static void join(Browser browser, RunningServer node, String nick, String room) {
        WebDriver driver = browser.driver();
        driver.get(node.http("chat.html?room=" + room).toString());
        driver.findElement(By.id("nick")).sendKeys(nick, Keys.ENTER);
        browser.waitUpTo(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("chat-view")));
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("state"), "OPEN"));
    }

    private static void waitForMember(Browser browser, String nick) {
        browser.waitUpTo(WAIT).until(d -> !d.findElements(By.cssSelector("#members button[data-nick='" + nick + "']")).isEmpty());
    }

    private static void waitForNoMember(Browser browser, String nick) {
        browser.waitUpTo(WAIT).until(d -> d.findElements(By.cssSelector("#members button[data-nick='" + nick + "']")).isEmpty());
    }

    private static void waitForMessage(Browser browser, String text) {
        browser.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), text));
    }

    /** Types a line and presses Enter. */
    private static void say(Browser browser, String text) {
        browser.driver().findElement(By.id("text")).sendKeys(text, Keys.ENTER);
    }

    /** Until the server sent the line back: the page empties the input only then. */
    private static void waitUntilSent(Browser browser) {
        browser.waitUpTo(WAIT).until(d -> d.findElement(By.id("text")).getAttribute("value").isEmpty());
    }

    /** "from: text" of every room message on the page, top to bottom. */
    @SuppressWarnings("unchecked")
    private static List<String> roomMessages(Browser browser) {
        return new ArrayList<>((List<String>) ((JavascriptExecutor) browser.driver()).executeScript(
                "return [...document.querySelectorAll('#messages li.message:not(.private)')]"
                        + ".map(li => li.querySelector('.from').textContent + ': ' + li.querySelector('.text').textContent);"));
    }

    private static List<String> memberNicks(Browser browser) {
        return browser.driver().findElements(By.cssSelector("#members button")).stream()
                .map(b -> b.getAttribute("data-nick")).toList();
    }

    @Test
    void twoWindowsOnTwoNodesShareOneRoom() throws Exception {
        String room = "grid-garden";
        join(alice, nodeA, "alice", room);
        join(bob, nodeB, "bob", room);

        // one member list: each sees the other, whichever node they are on
        waitForMember(alice, "bob");
        waitForMember(bob, "alice");
        assertEquals(List.of("alice", "bob"), memberNicks(alice));
        assertEquals(List.of("alice", "bob"), memberNicks(bob));

        // both type at once, round after round: every line reaches both pages, in one order
        List<String> expected = new ArrayList<>();
        for (int round = 1; round <= 4; round++) {
            say(alice, "alice line " + round);
            say(bob, "bob line " + round);
            waitUntilSent(alice);
            waitUntilSent(bob);
            expected.add("alice: alice line " + round);
            expected.add("bob: bob line " + round);
        }
        alice.waitUpTo(WAIT).until(d -> roomMessages(alice).size() == expected.size());
        bob.waitUpTo(WAIT).until(d -> roomMessages(bob).size() == expected.size());
        List<String> onA = roomMessages(alice);
        List<String> onB = roomMessages(bob);
        assertEquals(onA, onB, "one order on both nodes");
        assertEquals(expected.stream().sorted().toList(), onA.stream().sorted().toList(), "each line once");

        // a private message from B to A, picked in the member list, and one back
        bob.waitUpTo(WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("#members button[data-nick='alice']")).click();
            return true;
        });
        say(bob, "a whisper from node B");
        waitForMessage(alice, "a whisper from node B");
        WebElement whisper = alice.driver().findElement(By.cssSelector("#messages li.private"));
        assertTrue(whisper.getText().contains("bob (private)"), whisper.getText());
        new org.openqa.selenium.support.ui.Select(alice.driver().findElement(By.id("to"))).selectByValue("bob");
        say(alice, "and one back from node A");
        waitForMessage(bob, "and one back from node A");
        assertTrue(bob.driver().findElement(By.cssSelector("#messages li.private:not(.mine)")).getText()
                .contains("alice (private)"));
        waitUntilSent(alice);
        waitUntilSent(bob);

        // presence and typing cross nodes: alice goes away with a status, bob's list on B shows it
        new org.openqa.selenium.support.ui.Select(alice.driver().findElement(By.id("my-presence"))).selectByValue("away");
        alice.driver().findElement(By.id("my-status")).sendKeys("on node A");
        alice.driver().findElement(By.id("update-me")).click();
        bob.waitUpTo(WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement member = d.findElement(By.cssSelector("#members button[data-nick='alice']"));
            return member.findElement(By.cssSelector(".dot")).getAttribute("data-presence").equals("away")
                    && member.getText().contains("on node A");
        });
        bob.driver().findElement(By.id("text")).sendKeys("…");
        alice.waitUpTo(WAIT).until(ExpectedConditions.textToBe(By.id("typing"), "bob is typing…"));
        bob.driver().findElement(By.id("text")).clear();

        // a third person in a second tab of alice's browser, on node A: bob's nick is taken there too;
        // as carol, bob on B sees her come and, when her tab is closed, go
        String aliceTab = alice.driver().getWindowHandle();
        alice.driver().switchTo().newWindow(WindowType.TAB);
        alice.driver().get(nodeA.http("chat.html?room=" + room).toString());
        alice.driver().findElement(By.id("nick")).sendKeys("bob", Keys.ENTER);
        alice.waitUpTo(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("join-error"), "already taken"));
        join(alice, nodeA, "carol", room);
        waitForMember(bob, "carol");
        alice.driver().close();
        alice.driver().switchTo().window(aliceTab);
        waitForMessage(bob, "carol left.");
        waitForNoMember(bob, "carol");
        waitForNoMember(alice, "carol");

        // a narrower window keeps the newest line in sight (the list shrinks under it)
        alice.driver().manage().window().setSize(new org.openqa.selenium.Dimension(400, 860));
        try {
            Looks.settle(alice);
            assertEquals(Boolean.TRUE, ((JavascriptExecutor) alice.driver()).executeScript(
                    "const l = document.getElementById('messages');"
                            + "return l.scrollHeight > l.clientHeight && l.scrollHeight - l.scrollTop - l.clientHeight < 2;"),
                    "at 400 px the message list is scrolled to its newest line");
        } finally {
            alice.driver().manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
        }

        // both pages, with the private lines either way, at 1280 / 400 / 360 px, light and dark, axe-clean
        Looks.check(alice, "cluster-chat-alice-node-a");
        Looks.check(bob, "cluster-chat-bob-node-b");

        // bob leaves the room on node B; alice's list on node A updates
        bob.driver().findElement(By.id("leave")).click();
        waitForMessage(alice, "bob left.");
        waitForNoMember(alice, "bob");
        assertEquals(List.of("alice"), memberNicks(alice));
        Looks.settle(alice);
        alice.screenshot("cluster-chat-alice-after-bob-left");
    }
}
