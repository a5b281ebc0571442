package dev.switchboard.console;

import dev.switchboard.testing.Await;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleHubTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final dev.switchboard.bus.LocalBus bus = dev.switchboard.bus.TestBuses.direct(dev.switchboard.bus.TestBuses.KEEP_100);
    private final ConsoleHub hub = new ConsoleHub(bus, dev.switchboard.bus.TestBuses.fanOut(bus), timers,
            Duration.ofMillis(200), () -> 1234);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private static final class Inbox implements ConsoleHub.Peer {
        final ConcurrentLinkedQueue<JsonObject> got = new ConcurrentLinkedQueue<>();

        @Override
        public void send(String json) {
            got.add(Json.createReader(new StringReader(json)).readObject());
        }

        List<JsonObject> ofType(String type) {
            return got.stream().filter(o -> o.getString("type").equals(type)).toList();
        }

        JsonObject last(String type) {
            List<JsonObject> all = ofType(type);
            return all.get(all.size() - 1);
        }
    }

    @Test
    void operatorsSeeTheTargetListOnAttachAndOnEveryChange() {
        Inbox operator = new Inbox();
        hub.attachOperator(operator);
        assertEquals(0, operator.last("targets").getJsonArray("targets").size());
        Inbox tab = new Inbox();
        String id = hub.attachTarget(tab, "tab one", "Chromium/156");
        assertEquals(id, tab.last("attached").getString("id"));
        JsonObject listed = operator.last("targets").getJsonArray("targets").getJsonObject(0);
        assertEquals(id, listed.getString("id"));
        assertEquals("tab one", listed.getString("label"));
        assertEquals("Chromium/156", listed.getString("agent"));
        assertEquals(1234, listed.getJsonNumber("since").longValue());
        hub.detach(tab);
        assertEquals(0, operator.last("targets").getJsonArray("targets").size());
    }

    @Test
    void evalGoesToEveryTargetAndEachResultBackToTheAskingOperatorOnly() throws Exception {
        Inbox asking = new Inbox();
        Inbox other = new Inbox();
        hub.attachOperator(asking);
        hub.attachOperator(other);
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        String idA = hub.attachTarget(a, "a", "");
        String idB = hub.attachTarget(b, "b", "");
        hub.eval(asking, "q1", "5+5", null);
        assertEquals(2, asking.last("pending").getInt("targets"));
        assertEquals("q1", asking.last("pending").getString("id"));
        JsonObject toA = a.last("eval");
        assertEquals("5+5", toA.getString("code"));
        hub.result(a, toA.getString("id"), "10", null);
        JsonObject first = asking.last("result");
        assertEquals("q1", first.getString("id"));
        assertEquals(idA, first.getString("target"));
        assertEquals("10", first.getString("value"));
        hub.result(b, b.last("eval").getString("id"), null, "ReferenceError: x is not defined");
        assertEquals(idB, asking.last("result").getString("target"));
        assertEquals("ReferenceError: x is not defined", asking.last("result").getString("error"));
        assertTrue(other.ofType("result").isEmpty());
        assertTrue(other.ofType("pending").isEmpty());
    }

    @Test
    void twoOperatorsUsingTheSameRequestIdAreKeptApart() throws Exception {
        Inbox one = new Inbox();
        Inbox two = new Inbox();
        hub.attachOperator(one);
        hub.attachOperator(two);
        Inbox tab = new Inbox();
        hub.attachTarget(tab, "t", "");
        hub.eval(one, "1", "'one'", null);
        hub.eval(two, "1", "'two'", null);
        List<JsonObject> evals = tab.ofType("eval");
        hub.result(tab, evals.get(1).getString("id"), "two", null);
        hub.result(tab, evals.get(0).getString("id"), "one", null);
        assertEquals("one", one.last("result").getString("value"));
        assertEquals("two", two.last("result").getString("value"));
    }

    @Test
    void toChoosesTargetsAndAnUnknownOneIsRefusedWithNothingSent() throws Exception {
        Inbox operator = new Inbox();
        hub.attachOperator(operator);
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        String idA = hub.attachTarget(a, "a", "");
        hub.attachTarget(b, "b", "");
        hub.eval(operator, "q", "1", List.of(idA));
        assertEquals(1, operator.last("pending").getInt("targets"));
        assertEquals(1, a.ofType("eval").size());
        assertTrue(b.ofType("eval").isEmpty());
        ConsoleException e = assertThrows(ConsoleException.class, () -> hub.eval(operator, "q2", "1", List.of(idA, "nobody")));
        assertEquals("no-such-target", e.code().code());
        assertEquals(1, a.ofType("eval").size(), "nothing was forwarded");
    }

    @Test
    void silentTargetGivesTimeout() throws Exception {
        Inbox operator = new Inbox();
        hub.attachOperator(operator);
        Inbox silent = new Inbox();
        String id = hub.attachTarget(silent, "silent", "");
        hub.eval(operator, "q", "while(true){}", null);
        Await.until("the timeout", () -> !operator.ofType("result").isEmpty());
        assertEquals("timeout", operator.last("result").getString("error"));
        assertEquals(id, operator.last("result").getString("target"));
        hub.result(silent, silent.last("eval").getString("id"), "late", null);
        assertEquals(1, operator.ofType("result").size(), "a late answer is dropped");
    }

    @Test
    void targetLeavingBeforeAnsweringGivesDetachedAtOnce() throws Exception {
        Inbox operator = new Inbox();
        hub.attachOperator(operator);
        Inbox leaving = new Inbox();
        hub.attachTarget(leaving, "leaving", "");
        hub.eval(operator, "q", "1", null);
        hub.detach(leaving);
        assertEquals("detached", operator.last("result").getString("error"));
    }

    @Test
    void nonOperatorCannotEvalAndTargetsCannotAnswerForOthers() throws Exception {
        Inbox stranger = new Inbox();
        assertEquals("forbidden", assertThrows(ConsoleException.class, () -> hub.eval(stranger, "q", "1", null)).code().code());
        Inbox operator = new Inbox();
        hub.attachOperator(operator);
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        hub.attachTarget(a, "a", "");
        hub.attachTarget(b, "b", "");
        hub.eval(operator, "q", "1", List.of(hub.targets().get(0).id()));
        hub.result(b, a.last("eval").getString("id"), "forged", null);
        assertTrue(operator.ofType("result").isEmpty(), "b was not asked, so its answer counts for nothing");
    }

    /** A directory whose targets can lapse, as a dead node's do in a cluster. */
    private static final class LapsingTargets implements ConsoleTargets {
        final ConsoleTargets inner = ConsoleTargets.local();
        java.util.function.Consumer<String> lapsed;

        @Override
        public boolean add(ConsoleHub.TargetInfo target) {
            return inner.add(target);
        }

        @Override
        public void remove(String id) {
            inner.remove(id);
        }

        @Override
        public List<ConsoleHub.TargetInfo> list() {
            return inner.list();
        }

        @Override
        public void onLapse(java.util.function.Consumer<String> lapsed, java.util.function.Consumer<String> restored) {
            this.lapsed = lapsed;
        }

        @Override
        public void close() {
        }

        void lapse(String id) {
            inner.remove(id);
            lapsed.accept(id);
        }
    }

    @Test
    void aTargetThatLapsesIsUnlistedAndItsEvalsDetached() throws Exception {
        LapsingTargets directory = new LapsingTargets();
        dev.switchboard.bus.LocalBus own = dev.switchboard.bus.TestBuses.direct(dev.switchboard.bus.TestBuses.KEEP_100);
        ConsoleHub clustered = new ConsoleHub(own, dev.switchboard.bus.TestBuses.fanOut(own), timers,
                Duration.ofMinutes(1), () -> 1234, directory);
        Inbox operator = new Inbox();
        clustered.attachOperator(operator);
        Inbox far = new Inbox();
        String id = clustered.attachTarget(far, "on a node that dies", "");
        clustered.eval(operator, "q", "1", null);
        directory.lapse(id);
        assertEquals("detached", operator.last("result").getString("error"));
        assertEquals(id, operator.last("result").getString("target"));
        assertEquals(0, operator.last("targets").getJsonArray("targets").size());
        clustered.close();
    }

    @Test
    void aTargetAnswersOnlyEvalsItWasSentAndEachOnce() throws Exception {
        Inbox operator = new Inbox();
        hub.attachOperator(operator);
        Inbox tab = new Inbox();
        hub.attachTarget(tab, "t", "");
        hub.eval(operator, "q", "1", null);
        String evalId = tab.last("eval").getString("id");
        hub.result(tab, evalId, "first", null);
        hub.result(tab, evalId, "second", null);
        hub.result(tab, "e999." + evalId, "made up", null);
        assertEquals(1, operator.ofType("result").size());
        assertEquals("first", operator.last("result").getString("value"));
    }
}
