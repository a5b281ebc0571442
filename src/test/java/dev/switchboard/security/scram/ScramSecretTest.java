package dev.switchboard.security.scram;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScramSecretTest {

    @Test
    void theEntryTextReadsBackAndMatchesItsPasswordOnly() {
        for (ScramHash hash : ScramHash.values()) {
            ScramSecret secret = ScramSecret.create(hash, "correct horse", new SecureRandom());
            String entry = secret.entry();
            assertTrue(entry.startsWith("{" + hash.scheme() + "}" + ScramSecret.DEFAULT_ITERATIONS + "$"), entry);
            ScramSecret back = ScramSecret.parse(hash, entry.substring(hash.scheme().length() + 2));
            assertEquals(secret, back);
            assertTrue(back.matches("correct horse"));
            assertFalse(back.matches("correct horsf"));
            assertFalse(back.matches(""));
        }
    }

    @Test
    void rfc7677StoredKeyAndServerKeyFromTheRfcSaltedPassword() {
        // RFC 7677 §3: user/pencil, salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations (keys computed by the
        // library; the exchange test checks them against the RFC's proofs and signatures)
        ScramSecret secret = ScramSecret.derive(ScramHash.SHA_256, "pencil",
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        assertTrue(secret.matches("pencil"));
        assertEquals(32, secret.storedKey().length);
    }

    @Test
    void badTextIsRefusedNamingTheFieldNeverEchoingIt() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScramSecret.parse(ScramHash.SHA_256, "4096$c2FsdA==$" + key + "$not*base64"));
        assertEquals("the ServerKey is not valid base64", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScramSecret.parse(ScramHash.SHA_256, "1000$c2FsdA==$" + key + "$" + key));
        assertTrue(e.getMessage().contains("below 4096"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScramSecret.parse(ScramHash.SHA_1, "4096$c2FsdA==$" + key + "$" + key));
        assertTrue(e.getMessage().contains("20 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScramSecret.parse(ScramHash.SHA_256, "4096$c2FsdA=="));
        assertFalse(ScramSecret.create(ScramHash.SHA_1, "pw", new SecureRandom()).toString().contains("$"));
    }
}
