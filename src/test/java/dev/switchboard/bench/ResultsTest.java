package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTest {

    @Test
    void tableHasAColumnPerValueAndRatiosWithTwoDecimals() {
        String table = Results.table(List.of(
                Results.of("echo", "switchboard").put("round trips/s", 90_000),
                Results.of("echo", "bare tyrus").put("round trips/s", 100_000),
                Results.of("echo", "ratio").put("round trips/s", 0.9),
                Results.of("fan-out", "switchboard").put("deliveries/s", 5)));
        String[] lines = table.split("\n");
        assertEquals(5, lines.length);
        assertTrue(lines[0].contains("round trips/s") && lines[0].contains("deliveries/s"), lines[0]);
        assertTrue(lines[1].contains("90000.0"), lines[1]);
        assertTrue(lines[3].contains("0.90"), lines[3]);
    }

    @Test
    void jsonLineCarriesScenarioServerAndValues() {
        assertEquals("{\"scenario\":\"echo\",\"server\":\"switchboard\",\"round trips/s\":1.500}",
                Results.of("echo", "switchboard").put("round trips/s", 1.5).json());
    }
}
