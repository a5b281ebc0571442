package dev.switchboard.security.scram;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Starts SCRAM exchanges over one set of users; thread-safe, one per server. Server nonces are 18
 * bytes from {@link SecureRandom} (144 bits) in URL-safe base64, so no two exchanges share one.
 * RFC 5802 allows any printable character but a comma; letters, digits, '-' and '_' are what every
 * client parses — xmpp.js's SCRAM reads a {@code "} in a nonce as a quote and loses the nonce.
 */
public final class ScramServer {

    private static final int NONCE_BYTES = 18;

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
        return () -> {
            byte[] bytes = new byte[NONCE_BYTES];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        };
    }

    /** A new exchange for one authentication attempt with this hash (the SASL {@code <auth>}). */
    public ScramExchange start(ScramHash hash) {
        return new ScramExchange(hash, users, serverNonces);
    }
}
