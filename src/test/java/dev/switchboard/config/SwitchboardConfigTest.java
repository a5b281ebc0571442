package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwitchboardConfigTest {

    @Test
    void defaultsMatchTheContract() {
        SwitchboardConfig config = SwitchboardConfig.from(Map.of(), Map.of());
        assertEquals("127.0.0.1", config.host());
        assertEquals(8080, config.port());
        assertEquals(1024 * 1024, config.maxMessageBytes());
        assertEquals(Duration.ofMinutes(5), config.idleTimeout());
        assertEquals(4L * 1024 * 1024, config.sendQueueBytes());
        assertEquals(200, config.rateMessagesPerSecond());
        assertEquals(400, config.rateBurst());
        assertEquals(List.of(), config.allowedOrigins());
        assertEquals(50_000, config.maxConnections());
    }

    @Test
    void standaloneThreadingKnobsDefaultToGrizzlysOwnAndRejectUnknownStrategies() {
        SwitchboardConfig defaults = SwitchboardConfig.of(Map.of());
        assertEquals(0, defaults.selectorThreads());
        assertEquals(0, defaults.workerThreads());
        assertTrue(defaults.workersRunHandlers());
        SwitchboardConfig tuned = SwitchboardConfig.of(Map.of("standalone.selector-threads", "2",
                "standalone.worker-threads", "8", "standalone.io-strategy", "Same-Thread"));
        assertEquals(2, tuned.selectorThreads());
        assertEquals(8, tuned.workerThreads());
        assertFalse(tuned.workersRunHandlers());
        ConfigException e = assertThrows(ConfigException.class,
                () -> SwitchboardConfig.of(Map.of("standalone.io-strategy", "leader-follower")));
        assertTrue(e.getMessage().contains("one of worker, same-thread"), e.getMessage());
    }

    @Test
    void systemPropertyWinsOverEnvironmentWhichWinsOverDefault() {
        SwitchboardConfig both = SwitchboardConfig.from(Map.of("switchboard.port", "9001"), Map.of("SWITCHBOARD_PORT", "9002"));
        assertEquals(9001, both.port());
        SwitchboardConfig envOnly = SwitchboardConfig.from(Map.of(), Map.of("SWITCHBOARD_PORT", "9002"));
        assertEquals(9002, envOnly.port());
    }

    @Test
    void environmentNamesAreUpperCaseWithDotsAndDashesAsUnderscores() {
        assertEquals("SWITCHBOARD_MAX_MESSAGE_BYTES", SwitchboardConfig.environmentName("max-message-bytes"));
        assertEquals("SWITCHBOARD_RATE_MESSAGES_PER_SECOND", SwitchboardConfig.environmentName("rate.messages-per-second"));
        SwitchboardConfig config = SwitchboardConfig.from(Map.of(), Map.of("SWITCHBOARD_RATE_MESSAGES_PER_SECOND", "50"));
        assertEquals(50, config.rateMessagesPerSecond());
        assertEquals(100, config.rateBurst(), "burst follows the rate unless set");
    }

    @Test
    void blankValuesCountAsUnset() {
        SwitchboardConfig config = SwitchboardConfig.from(Map.of("switchboard.port", "  "), Map.of("SWITCHBOARD_PORT", "7000"));
        assertEquals(7000, config.port());
    }

    @Test
    void malformedPortStopsStartupNamingKeySourceAndValue() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SwitchboardConfig.from(Map.of("switchboard.port", "abc"), Map.of()));
        assertTrue(e.getMessage().contains("'port'"), e.getMessage());
        assertTrue(e.getMessage().contains("'abc'"), e.getMessage());
        assertTrue(e.getMessage().contains("system property switchboard.port"), e.getMessage());
        assertTrue(e.getMessage().contains("0 to 65535"), e.getMessage());
    }

    @Test
    void outOfRangePortIsRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SwitchboardConfig.from(Map.of(), Map.of("SWITCHBOARD_PORT", "70000")));
        assertTrue(e.getMessage().contains("environment variable SWITCHBOARD_PORT"), e.getMessage());
    }

    @Test
    void sizesTakeBinaryUnits() {
        assertEquals(1048576L, SwitchboardConfig.parseBytes("1048576"));
        assertEquals(512L * 1024, SwitchboardConfig.parseBytes("512KiB"));
        assertEquals(1048576L, SwitchboardConfig.parseBytes("1 MiB"));
        assertEquals(1048576L, SwitchboardConfig.parseBytes("1m"));
        assertEquals(2L << 30, SwitchboardConfig.parseBytes("2GB"));
        assertEquals(100L, SwitchboardConfig.parseBytes("100B"));
        assertNull(SwitchboardConfig.parseBytes("lots"));
        assertNull(SwitchboardConfig.parseBytes("-1"));
        assertNull(SwitchboardConfig.parseBytes("1.5MiB"));
        assertNull(SwitchboardConfig.parseBytes("99999999999999999999"));
    }

    @Test
    void malformedSizeIsRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SwitchboardConfig.of(Map.of("max-message-bytes", "huge")));
        assertTrue(e.getMessage().contains("'max-message-bytes'"), e.getMessage());
    }

    @Test
    void durationsTakeShortUnitsIsoAndPlainSeconds() {
        assertEquals(Duration.ofMillis(250), SwitchboardConfig.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(30), SwitchboardConfig.parseDuration("30s"));
        assertEquals(Duration.ofMinutes(5), SwitchboardConfig.parseDuration("5m"));
        assertEquals(Duration.ofMinutes(5), SwitchboardConfig.parseDuration("5min"));
        assertEquals(Duration.ofHours(1), SwitchboardConfig.parseDuration("1h"));
        assertEquals(Duration.ofMinutes(5), SwitchboardConfig.parseDuration("PT5M"));
        assertEquals(Duration.ofSeconds(45), SwitchboardConfig.parseDuration("45"));
        assertNull(SwitchboardConfig.parseDuration("soon"));
        assertNull(SwitchboardConfig.parseDuration("PTX"));
        assertThrows(ConfigException.class, () -> SwitchboardConfig.of(Map.of("idle-timeout", "forever")));
    }

    @Test
    void flagsAndLists() {
        SwitchboardConfig config = SwitchboardConfig.of(Map.of("a", "on", "b", "off", "c", "maybe",
                "allowed-origins", " https://a.example , ,http://b.example:8080 "));
        assertTrue(config.flag("a", false));
        assertFalse(config.flag("b", true));
        assertTrue(config.flag("unset", true));
        assertThrows(ConfigException.class, () -> config.flag("c", false));
        assertEquals(List.of("https://a.example", "http://b.example:8080"), config.allowedOrigins());
    }

    @Test
    void zeroMaxConnectionsIsRejected() {
        assertThrows(ConfigException.class, () -> SwitchboardConfig.of(Map.of("max-connections", "0")));
    }
}
