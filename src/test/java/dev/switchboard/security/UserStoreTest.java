package dev.switchboard.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.switchboard.config.ConfigException;
import dev.switchboard.security.scram.ScramHash;
import dev.switchboard.security.scram.ScramSecret;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserStoreTest {

    private static String hash(int cost, String password) {
        return "{bcrypt}" + BCrypt.withDefaults().hashToString(cost, password.toCharArray());
    }

    @Test
    void unknownUsersAreCheckedAgainstADummyOfTheConfiguredCostSoTimingTellsNothing() {
        assertEquals(12, UserStore.parse(List.of("a:" + UserStore.bcrypt("x") + ":user"), null).dummyCost());
        assertEquals(5, UserStore.parse(List.of("a:" + hash(4, "x") + ":user", "b:" + hash(5, "y") + ":user"), null)
                .dummyCost());
        assertEquals(UserStore.DEFAULT_COST, UserStore.parse(List.of("n:{noop}x:user"), null).dummyCost());
    }

    @Test
    void aPasswordOverSeventyTwoBytesNeverMatchesAndIsNeverHashed() {
        String long72 = "a".repeat(72);
        UserStore users = UserStore.parse(List.of("a:" + hash(4, long72) + ":user"), null);
        assertTrue(users.verify("a", long72).isPresent(), "72 bytes is bcrypt's whole input");
        assertTrue(users.verify("a", long72 + "b").isEmpty(), "73 bytes is refused, not truncated to a match");
        assertTrue(users.verify("a", "é".repeat(37)).isEmpty(), "counted in UTF-8 bytes");
        assertThrows(IllegalArgumentException.class, () -> UserStore.bcrypt(long72 + "b"));
    }

    private static String scram(ScramHash hash, String password) {
        return ScramSecret.create(hash, password, new SecureRandom()).entry();
    }

    @Test
    void aPasswordCheckWorksAgainstScramEntriesAloneAndCombined() {
        UserStore users = UserStore.parse(List.of(
                "a:" + scram(ScramHash.SHA_256, "pa") + ":user",
                "b:" + scram(ScramHash.SHA_1, "pb") + ":user|operator",
                "c:" + UserStore.allMechanisms("pc") + ":user"), null);
        assertTrue(users.verify("a", "pa").isPresent());
        assertFalse(users.verify("a", "pb").isPresent());
        assertEquals(java.util.Set.of("user", "operator"), users.verify("b", "pb").orElseThrow().roles());
        assertFalse(users.verify("b", "pa").isPresent());
        assertTrue(users.verify("c", "pc").isPresent());
        assertFalse(users.verify("c", "pa").isPresent());
        assertFalse(users.verify("nobody", "pa").isPresent());
        assertTrue(users.scramUser("c", ScramHash.SHA_1).isPresent());
        assertTrue(users.scramUser("c", ScramHash.SHA_256).isPresent());
        assertTrue(users.scramUser("b", ScramHash.SHA_256).isEmpty());
    }

    @Test
    void aScramOnlyPasswordMayBeLongerThanBcryptsLimit() {
        String long100 = "x".repeat(100);
        UserStore users = UserStore.parse(List.of("a:" + scram(ScramHash.SHA_256, long100) + ":user"), null);
        assertTrue(users.verify("a", long100).isPresent());
    }

    @Test
    void badScramEntriesAreConfigErrorsNamingTheProblemNotTheSecret() {
        String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        String badBase64 = "{scram-sha-256}4096$c2FsdA==$" + key + "$s3cr3t*!";
        ConfigException e = assertThrows(ConfigException.class, () -> UserStore.parse(List.of("a:" + badBase64 + ":user"), null));
        assertTrue(e.getMessage().contains("ServerKey is not valid base64"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t") || e.getMessage().contains(key), e.getMessage());
        String few = "{scram-sha-1}1000$c2FsdA==$" + key + "$" + key;
        e = assertThrows(ConfigException.class, () -> UserStore.parse(List.of("a:" + few + ":user"), null));
        assertTrue(e.getMessage().contains("below 4096"), e.getMessage());
        assertFalse(e.getMessage().contains(key), e.getMessage());
        String twice = scram(ScramHash.SHA_1, "x") + scram(ScramHash.SHA_1, "x");
        e = assertThrows(ConfigException.class, () -> UserStore.parse(List.of("a:" + twice + ":user"), null));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> UserStore.parse(List.of("a:{md5}abc:user"), null));
        assertTrue(e.getMessage().contains("{scram-sha-256}"), e.getMessage());
    }

    @Test
    void decoysShowTheIterationCountOfTheRealEntries() {
        UserStore users = UserStore.parse(List.of("a:" + scram(ScramHash.SHA_256, "pa") + ":user"), null);
        assertEquals(ScramSecret.DEFAULT_ITERATIONS, users.decoyIterations(ScramHash.SHA_256));
        assertTrue(users.isKnown("a"));
        assertFalse(users.isKnown("b"));
    }
}
