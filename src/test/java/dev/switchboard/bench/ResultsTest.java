package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTest {

    @Test
    void tableHasABlockPerColumnSetAndRatiosWithTwoDecimals() {
        Results switchboard = Results.of("echo", "switchboard").put("round trips/s", 90_000);
        Results tyrus = Results.of("echo", "bare tyrus").put("round trips/s", 100_000);
        String table = Results.table(List.of(switchboard, tyrus, switchboard.ratio(tyrus, "÷ tyrus"),
                Results.of("fan-out", "switchboard").put("deliveries/s", 5)));
        String[] lines = table.split("\n");
        assertEquals(7, lines.length, table); // two blocks, each with its header, a blank line between
        assertTrue(lines[0].contains("round trips/s") && !lines[0].contains("deliveries/s"), lines[0]);
        assertTrue(lines[1].contains("90000.0"), lines[1]);
        assertTrue(lines[3].contains("0.90"), lines[3]);
        assertTrue(lines[5].contains("deliveries/s"), lines[5]);
    }

    @Test
    void ratiosAreTakenForRatesAndTimesOnlyAndNeverDivideByZero() {
        Results a = Results.of("stomp", "switchboard").put("deliveries/s", 200).put("p99 ms", 2).put("lost", 0);
        Results b = Results.of("stomp", "artemis").put("deliveries/s", 100).put("p99 ms", 0).put("lost", 0);
        assertEquals(java.util.Map.of("deliveries/s", 2.0), a.ratio(b, "÷ artemis").values());
    }

    @Test
    void twoRunsAverageRatesAndTimesAndAddCounts() {
        Results one = Results.of("stomp", "baseline").put("deliveries/s", 100).put("p99 ms", 4).put("lost", 1);
        Results two = Results.of("stomp", "baseline").put("deliveries/s", 300).put("p99 ms", 2).put("lost", 2);
        assertEquals(java.util.Map.of("deliveries/s", 200.0, "p99 ms", 3.0, "lost", 3.0), one.mean(two).values());
        assertEquals("baseline", one.mean(two).server());
    }

    @Test
    void jsonLineCarriesScenarioServerAndValues() {
        assertEquals("{\"scenario\":\"echo\",\"server\":\"switchboard\",\"round trips/s\":1.500}",
                Results.of("echo", "switchboard").put("round trips/s", 1.5).json());
    }

    @Test
    void repeatedRunsAverageRatesAddCountsAndPrintTheSpreadOfTheFirstRate() {
        Results one = Results.of("persist", "artemis").put("msgs/s", 900).put("p99 ms", 2).put("lost", 1);
        Results two = Results.of("persist", "artemis").put("msgs/s", 1100).put("p99 ms", 4).put("lost", 0);
        Results summary = Results.summary(List.of(one, two));
        assertEquals(java.util.Map.of("msgs/s", 1000.0, "p99 ms", 3.0, "lost", 1.0, "spread %", 20.0), summary.values());
        assertEquals(0.0, Results.summary(List.of(one)).values().get("spread %"));
    }

    @Test
    void aRateIsShownAsAShareOfTheDisksFsyncRateAndTheShareIsNoRatio() {
        Results row = Results.of("persist", "sb always").put("msgs/s", 500).put("p99 ms", 2).fsyncShare(2000);
        assertEquals(25.0, row.values().get("% of fsync"));
        Results peer = Results.of("persist", "artemis").put("msgs/s", 250).put("p99 ms", 1).fsyncShare(2000);
        assertEquals(java.util.Map.of("msgs/s", 2.0, "p99 ms", 2.0), row.ratio(peer, "always÷art").values());
        assertEquals(null, Results.of("restart", "x").put("ready ms", 5).fsyncShare(2000).values().get("% of fsync"));
    }

    @Test
    void cpuIsAveragedOverRunsAndPayaraRatiosPrintAsRatios() {
        Results one = Results.of("stomp", "switchboard").put("deliveries/s", 100).put("client cpu %", 40).put("lost", 1);
        Results two = Results.of("stomp", "switchboard").put("deliveries/s", 300).put("client cpu %", 60).put("lost", 2);
        assertEquals(java.util.Map.of("deliveries/s", 200.0, "client cpu %", 50.0, "lost", 3.0), one.mean(two).values());
        Results payara = Results.of("stomp", "payara").put("deliveries/s", 150);
        Results ratio = payara.ratio(one, "payara÷sb");
        assertEquals(java.util.Map.of("deliveries/s", 1.5), ratio.values());
        assertTrue(Results.table(List.of(payara, ratio)).contains("1.50"), Results.table(List.of(payara, ratio)));
    }
}
