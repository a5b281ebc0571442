package dev.switchboard.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
