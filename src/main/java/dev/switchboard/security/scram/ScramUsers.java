package dev.switchboard.security.scram;

import dev.switchboard.security.Identity;

import java.util.Optional;

/** Where a SCRAM exchange finds users: the user store implements it. */
public interface ScramUsers {

    /** A user who can log in over SCRAM with one hash: who they are and their secret for it. */
    record ScramUser(Identity identity, ScramSecret secret) {
    }

    /** The user and their secret for this hash; empty for an unknown user or one without such a secret. */
    Optional<ScramUser> scramUser(String name, ScramHash hash);

    /** Whether the name is a user at all (for the server's log: "no SCRAM secret" vs "unknown user"). */
    boolean isKnown(String name);

    /**
     * A key only the server knows, from which the decoy salt and keys of unknown users are derived:
     * stable while the configured users are, so that asking twice gives the same salt.
     */
    byte[] decoyKey();

    /** The iteration count a decoy shows for this hash: what the real entries use. */
    int decoyIterations(ScramHash hash);
}
