package dev.switchboard.security.scram;

import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.Gs2CbindFlag;
import com.ongres.scram.common.ScramFunctions;
import com.ongres.scram.common.ScramMechanism;
import com.ongres.scram.common.ServerFinalMessage;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramParseException;
import dev.switchboard.security.Identity;
import dev.switchboard.security.scram.ScramStep.Challenge;
import dev.switchboard.security.scram.ScramStep.Failure;
import dev.switchboard.security.scram.ScramStep.Reason;
import dev.switchboard.security.scram.ScramStep.Success;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One SCRAM authentication, server side (RFC 5802 §5, RFC 7677): client-first → server-first →
 * client-final → server-final. The library ({@code com.ongres.scram}) parses client-first, writes
 * the server's messages and does the cryptography; the order, the checks and the refusals are here.
 * <ul>
 * <li>Channel binding is not offered (no {@code -PLUS} mechanism): {@code n} is served, {@code y}
 * too (the client could bind but believes we cannot — true, RFC 5802 §6), {@code p} is refused
 * with {@code channel-binding-not-supported}.</li>
 * <li>An unknown user, and a known one without a secret for this hash (a bcrypt-only entry), get
 * a decoy salt and iteration count derived from the name and fail at client-final with the same
 * answer as a wrong password, after the same proof check: the answers do not tell them apart.</li>
 * <li>Each exchange answers exactly one client-first and one client-final; anything after that,
 * and a client-final carrying another exchange's nonce (a replay), fails.</li>
 * </ul>
 * Not thread-safe: one stream's exchange, driven by that stream's reader.
 */
public final class ScramExchange {

    /** No SCRAM message of ours comes near this; a longer one is not an attempt to log in. */
    static final int MAX_MESSAGE_CHARS = 4096;
    private static final String SERVER_ERROR = "invalid-proof";

    private enum State { EXPECT_CLIENT_FIRST, EXPECT_CLIENT_FINAL, OVER }

    private final ScramHash hash;
    private final ScramUsers users;
    private final Supplier<String> serverNonces;
    private State state = State.EXPECT_CLIENT_FIRST;

    // Known after client-first:
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private ScramSecret secret;
    private Identity identity; // null for a decoy
    private Reason decoyReason;
    private String user;

    ScramExchange(ScramHash hash, ScramUsers users, Supplier<String> serverNonces) {
        this.hash = hash;
        this.users = users;
        this.serverNonces = serverNonces;
    }

    public ScramHash hash() {
        return hash;
    }

    /** The user name client-first gave (for the login throttle), or null before it was read. */
    public String user() {
        return user;
    }

    /** The answer to the client's next message (the SASL data of {@code <auth>}, then of {@code <response>}). */
    public ScramStep respond(String clientMessage) {
        State was = state;
        state = State.OVER; // whatever happens, a step is answered once
        if (clientMessage == null || clientMessage.length() > MAX_MESSAGE_CHARS) {
            return fail("malformed-request", "invalid-encoding", Reason.MALFORMED);
        }
        return switch (was) {
            case EXPECT_CLIENT_FIRST -> clientFirst(clientMessage);
            case EXPECT_CLIENT_FINAL -> clientFinal(clientMessage);
            case OVER -> fail("not-authorized", SERVER_ERROR, Reason.EXCHANGE_OVER);
        };
    }

    private ScramStep clientFirst(String message) {
        ClientFirstMessage first;
        try {
            first = ClientFirstMessage.parseFrom(message);
        } catch (ScramParseException | RuntimeException e) {
            boolean extension = message.contains(",m=");
            return extension ? fail("malformed-request", "extensions-not-supported", Reason.EXTENSION)
                    : fail("malformed-request", "invalid-encoding", Reason.MALFORMED);
        }
        if (first.getGs2Header().getChannelBindingFlag() == Gs2CbindFlag.CHANNEL_BINDING_REQUIRED) {
            return fail("not-authorized", "channel-binding-not-supported", Reason.CHANNEL_BINDING_REQUESTED);
        }
        // The GS2 header is "flag,[a=authzid]," — authzid is a saslname, so it holds no comma.
        int afterFlag = message.indexOf(',');
        int afterHeader = message.indexOf(',', afterFlag + 1);
        gs2Header = message.substring(0, afterHeader + 1);
        clientFirstBare = message.substring(afterHeader + 1);
        // The names are read from the text itself: the library hands them back re-escaped.
        String gs2Authzid = gs2Header.substring(afterFlag + 1, gs2Header.length() - 1);
        String authzid = gs2Authzid.isEmpty() ? null : gs2Authzid.startsWith("a=") ? gs2Authzid.substring(2) : "=";
        int nameEnd = clientFirstBare.indexOf(',');
        if (!clientFirstBare.startsWith("n=") || nameEnd < 0) {
            return fail("malformed-request", "invalid-encoding", Reason.MALFORMED);
        }
        Optional<String> name = fromSaslName(clientFirstBare.substring(2, nameEnd));
        Optional<String> authz = authzid == null ? Optional.empty() : fromSaslName(authzid);
        if (name.isEmpty() || name.get().isEmpty() || (authzid != null && authz.isEmpty())) {
            return fail("malformed-request", "invalid-username-encoding", Reason.MALFORMED);
        }
        if (authz.isPresent() && !authz.get().equals(name.get())) {
            return fail("invalid-authzid", "other-error", Reason.AUTHZID);
        }
        this.user = name.get();
        Optional<ScramUsers.ScramUser> known = users.scramUser(name.get(), hash);
        if (known.isPresent()) {
            secret = known.get().secret();
            identity = known.get().identity();
        } else {
            secret = decoy(name.get());
            decoyReason = users.isKnown(name.get()) ? Reason.NO_SCRAM_SECRET : Reason.UNKNOWN_USER; // for the log only
        }
        String serverNonce = serverNonces.get();
        nonce = first.getClientNonce() + serverNonce;
        serverFirst = new ServerFirstMessage(first.getClientNonce(), serverNonce,
                Base64.getEncoder().encodeToString(secret.salt()), secret.iterations()).toString();
        state = State.EXPECT_CLIENT_FINAL;
        return new Challenge(serverFirst);
    }

    private ScramStep clientFinal(String message) {
        // client-final-message = channel-binding "," nonce ["," extensions] "," proof
        int proofAt = message.lastIndexOf(",p=");
        if (!message.startsWith("c=") || proofAt < 0) {
            return fail("malformed-request", "invalid-encoding", Reason.MALFORMED);
        }
        String withoutProof = message.substring(0, proofAt);
        String[] fields = withoutProof.split(",", -1);
        byte[] proof;
        byte[] binding;
        try {
            proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
            binding = Base64.getDecoder().decode(fields[0].substring(2));
        } catch (IllegalArgumentException e) {
            return fail("malformed-request", "invalid-encoding", Reason.MALFORMED);
        }
        if (fields.length < 2 || !fields[1].startsWith("r=")) {
            return fail("malformed-request", "invalid-encoding", Reason.MALFORMED);
        }
        for (int i = 2; i < fields.length; i++) {
            if (fields[i].startsWith("m=")) {
                return fail("malformed-request", "extensions-not-supported", Reason.EXTENSION);
            }
        }
        // The proof is checked in every case — decoy, wrong nonce, wrong binding — so that each
        // refusal costs what a wrong password costs.
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        ScramMechanism mechanism = hash.library();
        byte[] proofInput = proof.length == secret.storedKey().length ? proof : new byte[secret.storedKey().length];
        boolean proofOk = ScramFunctions.verifyClientProof(mechanism, proofInput, secret.storedKey(), authMessage)
                && proof.length == proofInput.length;
        boolean nonceOk = fields[1].substring(2).equals(nonce);
        boolean bindingOk = Arrays.equals(binding, gs2Header.getBytes(StandardCharsets.UTF_8));
        if (identity == null) {
            return fail("not-authorized", SERVER_ERROR, decoyReason);
        }
        if (!nonceOk) {
            return fail("not-authorized", SERVER_ERROR, Reason.NONCE_MISMATCH);
        }
        if (!bindingOk) {
            return fail("not-authorized", "channel-bindings-dont-match", Reason.CHANNEL_BINDING_MISMATCH);
        }
        if (!proofOk) {
            return fail("not-authorized", SERVER_ERROR, Reason.WRONG_PROOF);
        }
        byte[] signature = ScramFunctions.serverSignature(mechanism, secret.serverKey(), authMessage);
        return new Success(identity, new ServerFinalMessage(signature).toString());
    }

    private static Failure fail(String condition, String serverError, Reason reason) {
        return new Failure(condition, serverError, reason);
    }

    /** A salt, iteration count and keys for a name with no secret: stable per name, matching nothing. */
    private ScramSecret decoy(String name) {
        byte[] key = users.decoyKey();
        int length = hash == ScramHash.SHA_1 ? 20 : 32;
        byte[] salt = Arrays.copyOf(derive(key, "salt", name), ScramSecret.SALT_BYTES);
        byte[] stored = Arrays.copyOf(derive(key, "stored", name), length);
        byte[] server = Arrays.copyOf(derive(key, "server", name), length);
        return new ScramSecret(hash, users.decoyIterations(hash), salt, stored, server);
    }

    private byte[] derive(byte[] key, String what, String name) {
        return ScramFunctions.hmac(ScramMechanism.SCRAM_SHA_256, key,
                (what + "\0" + hash.scheme() + "\0" + name).getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5802 §5.1 saslname: "=2C" is ',', "=3D" is '=', any other '=' is malformed. */
    static Optional<String> fromSaslName(String saslName) {
        StringBuilder out = new StringBuilder(saslName.length());
        for (int i = 0; i < saslName.length(); i++) {
            char c = saslName.charAt(i);
            if (c == ',') {
                return Optional.empty();
            }
            if (c != '=') {
                out.append(c);
            } else if (saslName.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (saslName.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(out.toString());
    }
}
