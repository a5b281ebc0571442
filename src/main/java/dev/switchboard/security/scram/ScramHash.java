package dev.switchboard.security.scram;

import com.ongres.scram.common.ScramMechanism;

/**
 * The SCRAM hash functions we serve: SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-1 (RFC 5802). No
 * {@code -PLUS} variants: channel binding is not offered (see {@link ScramExchange}).
 */
public enum ScramHash {
    SHA_256("SCRAM-SHA-256", "scram-sha-256", ScramMechanism.SCRAM_SHA_256),
    SHA_1("SCRAM-SHA-1", "scram-sha-1", ScramMechanism.SCRAM_SHA_1);

    private final String mechanism;
    private final String scheme;
    private final ScramMechanism library;

    ScramHash(String mechanism, String scheme, ScramMechanism library) {
        this.mechanism = mechanism;
        this.scheme = scheme;
        this.library = library;
    }

    /** The SASL mechanism name, as advertised and as a client asks for it. */
    public String mechanism() {
        return mechanism;
    }

    /** The user-store scheme, without braces: {@code scram-sha-256}. */
    public String scheme() {
        return scheme;
    }

    ScramMechanism library() {
        return library;
    }

    /** The hash for a SASL mechanism name ({@code SCRAM-SHA-1}), if we serve it. */
    public static java.util.Optional<ScramHash> byMechanism(String name) {
        for (ScramHash hash : values()) {
            if (hash.mechanism.equals(name)) {
                return java.util.Optional.of(hash);
            }
        }
        return java.util.Optional.empty();
    }

    /** The hash for a user-store scheme ({@code scram-sha-1}), if it is one. */
    public static java.util.Optional<ScramHash> byScheme(String scheme) {
        for (ScramHash hash : values()) {
            if (hash.scheme.equals(scheme)) {
                return java.util.Optional.of(hash);
            }
        }
        return java.util.Optional.empty();
    }
}
