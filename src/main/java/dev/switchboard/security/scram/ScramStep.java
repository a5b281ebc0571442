package dev.switchboard.security.scram;

import dev.switchboard.security.Identity;

/** What the server answers to one client message of a SCRAM exchange. */
public sealed interface ScramStep {

    /** server-first-message: send it as the SASL challenge and wait for client-final. */
    record Challenge(String serverFirst) implements ScramStep {
    }

    /** Authenticated: send server-final-message ({@code v=…}) as the SASL success's data. */
    record Success(Identity identity, String serverFinal) implements ScramStep {
    }

    /**
     * Refused. {@code condition} is the RFC 6120 §6.5 SASL failure to send ({@code not-authorized},
     * {@code malformed-request}, {@code invalid-authzid}); {@code serverError} the RFC 5802 §7
     * server-error-value, the same for every refusal of a login (never "unknown-user"), fit for a
     * {@code <text/>}; {@code reason} is for the server's own log and metrics only — sending it would
     * tell an unknown user from a wrong password.
     */
    record Failure(String condition, String serverError, Reason reason) implements ScramStep {
    }

    enum Reason {
        /** Not a SCRAM message, or one out of place. */
        MALFORMED,
        /** The client asked for channel binding ({@code p=}), which is not offered. */
        CHANNEL_BINDING_REQUESTED,
        /** A mandatory extension ({@code m=}). */
        EXTENSION,
        /** An authorization identity other than the user. */
        AUTHZID,
        /** The {@code c=} of client-final is not the GS2 header of client-first. */
        CHANNEL_BINDING_MISMATCH,
        /** client-final's nonce is not this exchange's (a replay from another exchange, or tampered). */
        NONCE_MISMATCH,
        WRONG_PROOF,
        UNKNOWN_USER,
        /** A known user whose entry holds no secret for this hash (a bcrypt-only entry). */
        NO_SCRAM_SECRET,
        /** A message after the exchange ended (a replayed client-final). */
        EXCHANGE_OVER
    }
}
