package dev.switchboard.security.scram;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.exception.ScramServerErrorException;
import dev.switchboard.security.UserStore;
import dev.switchboard.security.scram.ScramStep.Challenge;
import dev.switchboard.security.scram.ScramStep.Failure;
import dev.switchboard.security.scram.ScramStep.Reason;
import dev.switchboard.security.scram.ScramStep.Success;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScramExchangeTest {

    private static UserStore users;

    @BeforeAll
    static void users() {
        SecureRandom random = new SecureRandom();
        users = UserStore.parse(List.of(
                "alice:" + ScramSecret.create(ScramHash.SHA_256, "wonderland", random).entry()
                        + ScramSecret.create(ScramHash.SHA_1, "wonderland", random).entry() + ":user|operator",
                "onlyone:" + ScramSecret.create(ScramHash.SHA_256, "secret", random).entry() + ":user",
                "bob:" + UserStore.bcrypt("builder") + ":user",
                "demo:{noop}plain:user"), null);
    }

    /** The RFC's user "user" with password "pencil", salt and 4096 iterations as in its example. */
    private static ScramServer rfcServer(ScramHash hash, String salt, String serverNonce) {
        ScramSecret secret = ScramSecret.derive(hash, "pencil", Base64.getDecoder().decode(salt), 4096);
        ScramUsers rfc = new ScramUsers() {
            @Override
            public java.util.Optional<ScramUser> scramUser(String name, ScramHash h) {
                return name.equals("user") && h == hash
                        ? java.util.Optional.of(new ScramUser(new dev.switchboard.security.Identity("user", Set.of()), secret))
                        : java.util.Optional.empty();
            }

            @Override
            public boolean isKnown(String name) {
                return name.equals("user");
            }

            @Override
            public byte[] decoyKey() {
                return new byte[32];
            }

            @Override
            public int decoyIterations(ScramHash h) {
                return 4096;
            }
        };
        return new ScramServer(rfc, () -> serverNonce);
    }

    @Test
    void serverNoncesAre144RandomBitsInCharactersEveryClientParses() {
        java.util.function.Supplier<String> nonces = ScramServer.randomNonces(new SecureRandom());
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String nonce = nonces.get();
            // xmpp.js's SCRAM parser takes a '"' for a quote: only letters, digits, '-' and '_'
            assertTrue(nonce.matches("[A-Za-z0-9_-]{24}"), nonce);
            assertTrue(seen.add(nonce));
        }
    }

    @Test
    void rfc5802TestVectorForScramSha1() {
        ScramExchange exchange = rfcServer(ScramHash.SHA_1, "QSXCR+Q6sek8bf92", "3rfcNHYJY1ZVvWVs7j").start(ScramHash.SHA_1);
        ScramStep first = exchange.respond("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        assertEquals(new Challenge("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"), first);
        ScramStep last = exchange.respond("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
        Success success = assertInstanceOf(Success.class, last);
        assertEquals("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", success.serverFinal());
        assertEquals("user", success.identity().name());
    }

    @Test
    void rfc7677TestVectorForScramSha256() {
        ScramExchange exchange = rfcServer(ScramHash.SHA_256, "W22ZaJ0SNY7soEsUEjb6gQ==", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
                .start(ScramHash.SHA_256);
        assertEquals(new Challenge("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
                exchange.respond("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        ScramStep last = exchange.respond("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", assertInstanceOf(Success.class, last).serverFinal());
    }

    private static ScramClient client(ScramHash hash, String name, String password) {
        return ScramClient.builder().advertisedMechanisms(List.of(hash.mechanism())).username(name)
                .password(password.toCharArray()).build();
    }

    /** Runs a whole exchange with the library's client; the last step. */
    private static ScramStep login(ScramHash hash, String name, String password) throws Exception {
        ScramClient client = client(hash, name, password);
        ScramExchange exchange = new ScramServer(users).start(hash);
        ScramStep first = exchange.respond(client.clientFirstMessage().toString());
        client.serverFirstMessage(assertInstanceOf(Challenge.class, first).serverFirst());
        ScramStep last = exchange.respond(client.clientFinalMessage().toString());
        if (last instanceof Success success) {
            client.serverFinalMessage(success.serverFinal()); // throws unless the server proved it knows the key
        }
        return last;
    }

    @Test
    void theLibrarysClientLogsInOverBothHashes() throws Exception {
        for (ScramHash hash : ScramHash.values()) {
            Success success = assertInstanceOf(Success.class, login(hash, "alice", "wonderland"), hash.mechanism());
            assertEquals("alice", success.identity().name());
            assertTrue(success.identity().hasRole("operator"));
        }
    }

    @Test
    void aNoopUserCanUseScramToo() throws Exception {
        assertInstanceOf(Success.class, login(ScramHash.SHA_256, "demo", "plain"));
        assertInstanceOf(Success.class, login(ScramHash.SHA_1, "demo", "plain"));
    }

    @Test
    void aWrongPasswordIsNotAuthorized() throws Exception {
        Failure failure = assertInstanceOf(Failure.class, login(ScramHash.SHA_256, "alice", "wonderlan"));
        assertEquals(new Failure("not-authorized", "invalid-proof", Reason.WRONG_PROOF), failure);
    }

    @Test
    void anUnknownUserGetsADecoyChallengeAndTheSameRefusal() throws Exception {
        ScramServer server = new ScramServer(users);
        String one = ((Challenge) server.start(ScramHash.SHA_256).respond("n,,n=mallory,r=abc")).serverFirst();
        String two = ((Challenge) server.start(ScramHash.SHA_256).respond("n,,n=mallory,r=abc")).serverFirst();
        String other = ((Challenge) server.start(ScramHash.SHA_256).respond("n,,n=trudy,r=abc")).serverFirst();
        String real = ((Challenge) server.start(ScramHash.SHA_256).respond("n,,n=alice,r=abc")).serverFirst();
        assertEquals(salt(one), salt(two), "the same salt each time, as for a real user");
        assertNotEquals(salt(one), salt(other));
        assertEquals(iterations(real), iterations(one), "the iteration count of the real entries");
        assertEquals(Base64.getDecoder().decode(salt(real)).length, Base64.getDecoder().decode(salt(one)).length);
        Failure failure = assertInstanceOf(Failure.class, login(ScramHash.SHA_256, "mallory", "x"));
        assertEquals(new Failure("not-authorized", "invalid-proof", Reason.UNKNOWN_USER), failure);
    }

    private static String salt(String serverFirst) {
        return serverFirst.split(",")[1].substring(2);
    }

    private static String iterations(String serverFirst) {
        return serverFirst.split(",")[2];
    }

    @Test
    void aBcryptOnlyUserIsRefusedScramLikeAnUnknownOneAndKeepsPlain() throws Exception {
        Failure failure = assertInstanceOf(Failure.class, login(ScramHash.SHA_256, "bob", "builder"));
        assertEquals("not-authorized", failure.condition());
        assertEquals("invalid-proof", failure.serverError());
        assertEquals(Reason.NO_SCRAM_SECRET, failure.reason());
        assertTrue(users.verify("bob", "builder").isPresent());
    }

    @Test
    void anEntryWithOnlyOneHashRefusesTheOther() throws Exception {
        assertInstanceOf(Success.class, login(ScramHash.SHA_256, "onlyone", "secret"));
        assertEquals(Reason.NO_SCRAM_SECRET, ((Failure) login(ScramHash.SHA_1, "onlyone", "secret")).reason());
    }

    @Test
    void aReplayedClientFinalFailsInTheSameExchangeAndInANewOne() {
        ScramClient client = client(ScramHash.SHA_256, "alice", "wonderland");
        ScramServer server = new ScramServer(users);
        ScramExchange exchange = server.start(ScramHash.SHA_256);
        String clientFirst = client.clientFirstMessage().toString();
        Challenge challenge = (Challenge) exchange.respond(clientFirst);
        assertDoesNotThrow(() -> client.serverFirstMessage(challenge.serverFirst()));
        String clientFinal = client.clientFinalMessage().toString();
        assertInstanceOf(Success.class, exchange.respond(clientFinal));
        assertEquals(Reason.EXCHANGE_OVER, ((Failure) exchange.respond(clientFinal)).reason());

        ScramExchange again = server.start(ScramHash.SHA_256);
        assertInstanceOf(Challenge.class, again.respond(clientFirst)); // a fresh server nonce
        Failure failure = (Failure) again.respond(clientFinal);
        assertEquals("not-authorized", failure.condition());
        assertEquals(Reason.NONCE_MISMATCH, failure.reason());
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.Executable run) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(run);
    }

    @Test
    void aTamperedNonceOrChannelBindingFails() throws Exception {
        for (String tamper : List.of("nonce", "binding")) {
            ScramClient client = client(ScramHash.SHA_1, "alice", "wonderland");
            ScramExchange exchange = new ScramServer(users).start(ScramHash.SHA_1);
            Challenge challenge = (Challenge) exchange.respond(client.clientFirstMessage().toString());
            client.serverFirstMessage(challenge.serverFirst());
            String clientFinal = client.clientFinalMessage().toString();
            String changed = tamper.equals("nonce") ? clientFinal.replaceFirst(",p=", "x,p=")
                    : clientFinal.replaceFirst("c=biws", "c=" + Base64.getEncoder().encodeToString("y,,".getBytes()));
            Failure failure = (Failure) exchange.respond(changed);
            assertEquals("not-authorized", failure.condition(), tamper);
            assertEquals(tamper.equals("nonce") ? Reason.NONCE_MISMATCH : Reason.CHANNEL_BINDING_MISMATCH,
                    failure.reason());
        }
    }

    @Test
    void channelBindingIsRefusedAsRfc5802Says() throws Exception {
        Failure p = (Failure) new ScramServer(users).start(ScramHash.SHA_256).respond("p=tls-unique,,n=alice,r=abc");
        assertEquals(new Failure("not-authorized", "channel-binding-not-supported", Reason.CHANNEL_BINDING_REQUESTED), p);
        // "y": the client could bind but saw no -PLUS mechanism; we have none, so it is served (§6)
        assertInstanceOf(Challenge.class, new ScramServer(users).start(ScramHash.SHA_256).respond("y,,n=alice,r=abc"));
    }

    @Test
    void aServerErrorReachesTheLibrarysClientAsOne() throws Exception {
        // what the server-final of a failure would carry, if a transport sends one (e=…)
        ScramClient client = client(ScramHash.SHA_256, "alice", "x");
        ScramExchange exchange = new ScramServer(users).start(ScramHash.SHA_256);
        client.serverFirstMessage(((Challenge) exchange.respond(client.clientFirstMessage().toString())).serverFirst());
        Failure failure = (Failure) exchange.respond(client.clientFinalMessage().toString());
        assertThrows(ScramServerErrorException.class, () -> client.serverFinalMessage("e=" + failure.serverError()));
    }

    @Test
    void malformedMessagesAreMalformedRequests() {
        ScramServer server = new ScramServer(users);
        for (String bad : List.of("", "hello", "n,,n=al=ice,r=abc", "n,b,n=alice,r=abc", "n,,m=ext,n=alice,r=abc", "x".repeat(5000))) {
            Failure failure = assertInstanceOf(Failure.class, server.start(ScramHash.SHA_256).respond(bad), bad);
            assertEquals("malformed-request", failure.condition(), bad);
        }
        ScramExchange exchange = server.start(ScramHash.SHA_256);
        exchange.respond("n,,n=alice,r=abc");
        assertEquals("malformed-request", ((Failure) exchange.respond("c=biws,r=abc,p=%%%")).condition());
    }

    @Test
    void anAuthzidOtherThanTheUserIsInvalidAndTheUsersOwnIsFine() {
        ScramServer server = new ScramServer(users);
        assertEquals("invalid-authzid", ((Failure) server.start(ScramHash.SHA_256).respond("n,a=bob,n=alice,r=abc")).condition());
        assertInstanceOf(Challenge.class, server.start(ScramHash.SHA_256).respond("n,a=alice,n=alice,r=abc"));
    }

    @Test
    void anEscapedUserNameIsLookedUpUnescaped() {
        UserStore odd = UserStore.parse(List.of("a=b:{noop}pw:user"), null);
        ScramStep last;
        ScramClient client = client(ScramHash.SHA_256, "a=b", "pw");
        ScramExchange exchange = new ScramServer(odd).start(ScramHash.SHA_256);
        String first = client.clientFirstMessage().toString();
        assertTrue(first.contains("n=a=3Db,"), first);
        assertDoesNotThrow(() -> client.serverFirstMessage(((Challenge) exchange.respond(first)).serverFirst()));
        last = exchange.respond(client.clientFinalMessage().toString());
        assertEquals("a=b", assertInstanceOf(Success.class, last).identity().name());
    }

    @Test
    void saslNamesAreUnescaped() {
        assertEquals("a,b=c", ScramExchange.fromSaslName("a=2Cb=3Dc").orElseThrow());
        assertTrue(ScramExchange.fromSaslName("a=2").isEmpty());
    }
}
