package dev.switchboard.security.scram;

import com.ongres.scram.common.ScramFunctions;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Starts SCRAM exchanges over one set of users; thread-safe, one per server. Server nonces are 24
 * printable characters from {@link SecureRandom} (about 150 bits), so no two exchanges share one.
 */
public final class ScramServer {

    private static final int NONCE_CHARS = 24;

    private final ScramUsers users;
    private final Supplier<String> serverNonces;

    public ScramServer(ScramUsers users) {
        this(users, randomNonces(new SecureRandom()));
    }

    /** With a given source of server nonces: for the RFC test vectors, never for a server. */
    public ScramServer(ScramUsers users, Supplier<String> serverNonces) {
        this.users = Objects.requireNonNull(users);
        this.serverNonces = Objects.requireNonNull(serverNonces);
    }

    static Supplier<String> randomNonces(SecureRandom random) {
        return () -> ScramFunctions.nonce(NONCE_CHARS, random);
    }

    /** A new exchange for one authentication attempt with this hash (the SASL {@code <auth>}). */
    public ScramExchange start(ScramHash hash) {
        return new ScramExchange(hash, users, serverNonces);
    }
}
