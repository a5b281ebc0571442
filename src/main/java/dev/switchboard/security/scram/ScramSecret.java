package dev.switchboard.security.scram;

import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.StringPreparation;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * What a server keeps for one user and one SCRAM hash (RFC 5802 §3): salt, iteration count,
 * StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server
 * Key"). It cannot be used to log in as the user over SCRAM, yet it checks a SCRAM proof and, by
 * deriving, a PLAIN password.
 * <p>
 * Text form (the user store's secret field):
 * {@code {scram-sha-256}ITERATIONS$SALT$STOREDKEY$SERVERKEY}, the last three in standard base64 —
 * the fields and order of PostgreSQL's {@code SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey},
 * with {@code $} throughout because {@code :} separates a user line's fields.
 */
public record ScramSecret(ScramHash hash, int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {

    /** RFC 7677 §4 (and RFC 5802 §5.1): at least 4096 iterations. */
    public static final int MIN_ITERATIONS = 4096;
    /** What {@link #create} uses: above the minimum, as Prosody's default is. */
    public static final int DEFAULT_ITERATIONS = 10_000;
    /** Salt length {@link #create} draws (PostgreSQL's and Prosody's choice too). */
    public static final int SALT_BYTES = 16;
    /** An upper bound, so that a typo cannot make every login spin for minutes. */
    static final int MAX_ITERATIONS = 10_000_000;

    public ScramSecret {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be " + MIN_ITERATIONS + ".." + MAX_ITERATIONS
                    + ", not " + iterations);
        }
        int keyLength = hash == ScramHash.SHA_1 ? 20 : 32;
        if (salt.length == 0 || storedKey.length != keyLength || serverKey.length != keyLength) {
            throw new IllegalArgumentException("the salt must not be empty and both keys must be " + keyLength
                    + " bytes for " + hash.mechanism());
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /** A fresh secret for a password, with a random salt. */
    public static ScramSecret create(ScramHash hash, String password, SecureRandom random) {
        return derive(hash, password, ScramFunctions.salt(SALT_BYTES, random), DEFAULT_ITERATIONS);
    }

    /** The secret for a password, salt and iteration count (SaslPrep'd, as RFC 5802 §2.2 asks). */
    public static ScramSecret derive(ScramHash hash, String password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(hash, password, salt, iterations);
        return new ScramSecret(hash, iterations, salt, ScramFunctions.storedKey(hash.library(),
                ScramFunctions.clientKey(hash.library(), salted)), ScramFunctions.serverKey(hash.library(), salted));
    }

    private static byte[] saltedPassword(ScramHash hash, String password, byte[] salt, int iterations) {
        return ScramFunctions.saltedPassword(hash.library(), StringPreparation.SASL_PREPARATION,
                password.toCharArray(), salt, iterations);
    }

    /**
     * Whether a password (PLAIN) is the one this secret was made from: derived with this salt and
     * iteration count, the keys compared in constant time. A password SaslPrep refuses (a
     * prohibited character) is a mismatch, after the same derivation.
     */
    public boolean matches(String password) {
        byte[] salted;
        try {
            salted = saltedPassword(hash, password, salt, iterations);
        } catch (IllegalArgumentException e) {
            saltedPassword(hash, "not a password", salt, iterations); // the same work
            return false;
        }
        byte[] stored = ScramFunctions.storedKey(hash.library(), ScramFunctions.clientKey(hash.library(), salted));
        byte[] server = ScramFunctions.serverKey(hash.library(), salted);
        return MessageDigest.isEqual(stored, storedKey) & MessageDigest.isEqual(server, serverKey);
    }

    /** The user store's text: {@code {scram-sha-256}4096$SALT$STOREDKEY$SERVERKEY}. */
    public String entry() {
        Base64.Encoder b64 = Base64.getEncoder();
        return "{" + hash.scheme() + "}" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(storedKey) + "$" + b64.encodeToString(serverKey);
    }

    /**
     * Reads the text after {@code {scheme}}. The message of the exception names the problem and
     * never the secret's text.
     */
    public static ScramSecret parse(ScramHash hash, String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("a {" + hash.scheme()
                    + "} secret is ITERATIONS$SALT$STOREDKEY$SERVERKEY (base64), found " + parts.length + " fields");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count is not a number");
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("the iteration count is below " + MIN_ITERATIONS + " (RFC 7677)");
        }
        return new ScramSecret(hash, iterations, base64(parts[1], "salt"), base64(parts[2], "StoredKey"),
                base64(parts[3], "ServerKey"));
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not valid base64");
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramSecret s && s.hash == hash && s.iterations == iterations
                && java.util.Arrays.equals(s.salt, salt) && MessageDigest.isEqual(s.storedKey, storedKey)
                && MessageDigest.isEqual(s.serverKey, serverKey);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(hash, iterations, java.util.Arrays.hashCode(salt));
    }

    /** Never the keys: a secret must not reach a log by accident. */
    @Override
    public String toString() {
        return "ScramSecret[" + hash.mechanism() + ", " + iterations + " iterations]";
    }
}
