package dev.switchboard.xmpp;

import com.ongres.scram.client.ScramClient;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.TestBuses;
import dev.switchboard.chat.ChatCodec;
import dev.switchboard.chat.ChatRooms;
import dev.switchboard.ops.EndpointMetrics;
import dev.switchboard.ops.SwitchboardMetrics;
import dev.switchboard.security.AccessRules;
import dev.switchboard.security.FailedLogins;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.LoginSessions;
import dev.switchboard.security.SecurityPolicy;
import dev.switchboard.security.UserStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stream state machine on its own: a transport that records, a clock the test moves. */
class XmppSessionTest {

    private static final Duration KEEPALIVE = Duration.ofSeconds(30);
    private static final Duration IDLE = Duration.ofMinutes(5);
    private static final Duration LOGIN = Duration.ofSeconds(60);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
    private final FanOut fanOut = TestBuses.fanOut(bus);
    private final SwitchboardMetrics metrics = new SwitchboardMetrics();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        timers.shutdownNow();
        metrics.close();
    }

    /** What the session sent, in order; "OPEN", "CLOSE", "STARTTLS" and "ERROR condition" mark the transport calls. */
    private static final class Recorder implements XmppTransport {
        final List<String> sent = new ArrayList<>();
        final EndpointMetrics metrics;
        Tls tls;

        Recorder(SwitchboardMetrics all, Tls tls) {
            this.metrics = all.endpoint("xmpp");
            this.tls = tls;
        }

        @Override
        public void open(String from, String streamId) {
            sent.add("OPEN " + from);
        }

        @Override
        public void send(String element) {
            sent.add(element);
        }

        @Override
        public void close() {
            sent.add("CLOSE");
        }

        @Override
        public void fail(StreamErrorCondition condition, String text) {
            sent.add("ERROR " + condition.elementName());
        }

        @Override
        public Tls tls() {
            return tls;
        }

        @Override
        public void startTls() {
            sent.add("STARTTLS");
            tls = Tls.ESTABLISHED;
        }

        @Override
        public String remoteAddress() {
            return "192.0.2.1";
        }

        @Override
        public EndpointMetrics metrics() {
            return metrics;
        }

        String last() {
            return sent.get(sent.size() - 1);
        }
    }

    private XmppService service(SecurityPolicy security) {
        return service(security, XmppDirectory.SINGLE_NODE);
    }

    private XmppService service(SecurityPolicy security, XmppDirectory directory) {
        return new XmppService(new XmppService.Settings("localhost", KEEPALIVE, IDLE, LOGIN), security,
                new ChatRooms(bus, fanOut, 10, System::currentTimeMillis, registry), new ChatCodec(4000), bus, fanOut,
                () -> new FloodGuard(1000, 1000, clock::get), timers, clock::get, directory);
    }

    /** The rest of a cluster as the service sees it: the accounts bound there, and which ones it was told came online here. */
    private static final class OtherNodes implements XmppDirectory {
        final Set<Jid> accounts = new LinkedHashSet<>();
        final List<Jid> toldOnline = new ArrayList<>();
        Consumer<Jid> cameOnline;

        @Override
        public Claim claim(Jid full) {
            return accounts.contains(full.bare()) ? Claim.ALSO_ELSEWHERE : Claim.NONE_ELSEWHERE;
        }

        @Override
        public void release(Jid full) {
        }

        @Override
        public void announce(XmppPresence presence) {
        }

        @Override
        public List<XmppPresence> availableElsewhere() {
            return List.of();
        }

        @Override
        public List<Resource> resourcesElsewhere(Jid bare) {
            return List.of();
        }

        @Override
        public Resource resourceElsewhere(Jid full) {
            return null;
        }

        @Override
        public List<Jid> accountsElsewhere() {
            return List.copyOf(accounts);
        }

        @Override
        public void deliver(String node, List<Jid> recipients, AddressedStanza stanza) {
        }

        @Override
        public void cameOnline(Jid bare) {
            toldOnline.add(bare);
        }

        @Override
        public void listen(BiConsumer<Jid, AddressedStanza> delivered, Consumer<Jid> departed, Consumer<Jid> cameOnline) {
            this.cameOnline = cameOnline;
        }

        /** An account's first resource in the cluster binds on another node. */
        void comesOnline(String local) {
            Jid bare = new Jid(local, "localhost", null);
            accounts.add(bare);
            cameOnline.accept(bare);
        }
    }

    private static long rosterPushes(Recorder transport, String contact) {
        return transport.sent.stream().filter(s -> s.startsWith("<iq") && s.contains("type=\"set\"")
                && s.contains("jabber:iq:roster") && s.contains("jid=\"" + contact + "@localhost\"")).count();
    }

    private static void askForTheRoster(XmppSession session, Recorder transport) throws XmppStreamException {
        session.received(parse("<iq type=\"get\" id=\"r\"><query xmlns=\"jabber:iq:roster\"/></iq>"));
        assertTrue(transport.last().contains("type=\"result\""), transport.last());
    }

    private static SecurityPolicy securityOn(String users) {
        return new SecurityPolicy(true, UserStore.parse(List.of(users.split(",")), null), AccessRules.parse(null),
                new LoginSessions(Duration.ofHours(1), System::nanoTime), new FailedLogins(10, Duration.ofMinutes(1), System::nanoTime));
    }

    private static XmppFrame.Open open() {
        return new XmppFrame.Open(XmlElement.builder("open", XmppNamespaces.FRAMING).attribute("to", "localhost")
                .attribute("version", "1.0").build());
    }

    private static XmlElement parse(String xml) throws XmppStreamException {
        return XmppFraming.withDefaults().decode(xml).element();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static XmlElement auth(String mechanism, String data) throws XmppStreamException {
        return parse("<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"" + mechanism + "\">" + data + "</auth>");
    }

    /** Opens, logs in with PLAIN, restarts and binds. */
    private XmppSession bound(XmppService service, Recorder transport, String user) throws Exception {
        return bound(service, transport, user, "r");
    }

    private XmppSession bound(XmppService service, Recorder transport, String user, String resource) throws Exception {
        XmppSession session = (XmppSession) service.stream(transport);
        session.opened(open());
        session.received(auth("PLAIN", base64("\0" + user + "\0pw")));
        assertTrue(transport.last().startsWith("<success"), transport.last());
        session.opened(open());
        session.received(parse("<iq type=\"set\" id=\"b\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><resource>"
                + resource + "</resource></bind></iq>"));
        assertTrue(transport.last().contains("<jid>" + user + "@localhost/" + resource + "</jid>"), transport.last());
        return session;
    }

    @Test
    void featuresOfferPlainAndAnonymousWithSecurityOff() {
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        service(SecurityPolicy.off()).stream(transport).opened(open());
        assertEquals("OPEN localhost", transport.sent.get(0));
        assertTrue(transport.sent.get(1).contains("<mechanism>PLAIN</mechanism><mechanism>ANONYMOUS</mechanism>"));
    }

    @Test
    void withAKeystoreTlsComesFirstAndTheStreamRestartsAfterIt() throws Exception {
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.OFFERED);
        XmppStreamHandler session = service(SecurityPolicy.off()).stream(transport);
        session.opened(open());
        assertTrue(transport.last().contains("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"><required/></starttls>"));
        assertFalse(transport.last().contains("<mechanisms"));
        session.received(auth("PLAIN", base64("\0a\0b")));
        assertEquals("ERROR policy-violation", transport.last(), "no login before TLS");

        Recorder second = new Recorder(metrics, XmppTransport.Tls.OFFERED);
        XmppStreamHandler other = service(SecurityPolicy.off()).stream(second);
        other.opened(open());
        other.received(parse("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"/>"));
        assertEquals("STARTTLS", second.last());
        other.opened(open());
        assertTrue(second.last().contains("<mechanisms"), "after TLS: SASL");
    }

    @Test
    void securityOnOffersScramAndPlainNotAnonymous() {
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        service(securityOn("alice:{noop}pw:user")).stream(transport).opened(open());
        assertTrue(transport.last().contains("<mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism>"
                + "<mechanism>PLAIN</mechanism></mechanisms>"), transport.last());
    }

    @Test
    void scramSha256LogsInAndAReplayedClientFinalIsRefused() throws Exception {
        XmppService service = service(securityOn("alice:" + UserStore.allMechanisms("wonderland") + ":user"));
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppStreamHandler session = service.stream(transport);
        session.opened(open());
        ScramClient client = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256")).username("alice")
                .password("wonderland".toCharArray()).build();
        session.received(auth("SCRAM-SHA-256", base64(client.clientFirstMessage().toString())));
        String challenge = transport.last();
        assertTrue(challenge.startsWith("<challenge"), challenge);
        client.serverFirstMessage(decode(parse(challenge).text()));
        String clientFinal = client.clientFinalMessage().toString();
        session.received(parse("<response xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">" + base64(clientFinal) + "</response>"));
        String success = transport.last();
        assertTrue(success.startsWith("<success"), success);
        client.serverFinalMessage(decode(parse(success).text())); // throws unless the server proved it knows the key

        // the same client-final in a fresh exchange: its nonce is not this exchange's
        Recorder replay = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppStreamHandler attacker = service.stream(replay);
        attacker.opened(open());
        ScramClient other = ScramClient.builder().advertisedMechanisms(List.of("SCRAM-SHA-256")).username("alice")
                .password("guess".toCharArray()).build();
        attacker.received(auth("SCRAM-SHA-256", base64(other.clientFirstMessage().toString())));
        attacker.received(parse("<response xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\">" + base64(clientFinal) + "</response>"));
        assertTrue(replay.last().contains("<not-authorized/>"), replay.last());
    }

    @Test
    void threeFailedLoginsEndTheStreamPolicyViolation() throws Exception {
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppStreamHandler session = service(securityOn("alice:{noop}pw:user")).stream(transport);
        session.opened(open());
        for (int i = 0; i < XmppSession.MAX_SASL_ATTEMPTS; i++) {
            session.received(auth("PLAIN", base64("\0alice\0wrong" + i)));
        }
        assertEquals(List.of("<failure xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\"><not-authorized/></failure>",
                "ERROR policy-violation"), transport.sent.subList(transport.sent.size() - 2, transport.sent.size()));
        assertEquals(3.0, metrics.registry().get("switchboard.errors").tag("code", "sasl-not-authorized").counter().count());
    }

    @Test
    void anUnknownMechanismIsInvalidMechanism() throws Exception {
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppStreamHandler session = service(securityOn("alice:{noop}pw:user")).stream(transport);
        session.opened(open());
        session.received(auth("ANONYMOUS", ""));
        assertTrue(transport.last().contains("<invalid-mechanism/>"), transport.last());
    }

    @Test
    void aQuietSessionIsPingedAndASilentOneEnded() throws Exception {
        XmppService service = service(SecurityPolicy.off());
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession session = bound(service, transport, "quiet");
        clock.addAndGet(KEEPALIVE.toNanos());
        session.tick(clock.get());
        XmlElement ping = parse(transport.last());
        assertEquals("get", ping.attribute("type"));
        assertTrue(ping.child("ping", XmppNamespaces.PING) != null);
        int sent = transport.sent.size();
        session.tick(clock.get());
        assertEquals(sent, transport.sent.size(), "one ping at a time");
        session.received(parse("<iq type=\"result\" id=\"" + ping.attribute("id") + "\" to=\"localhost\"/>"));
        clock.addAndGet(IDLE.toNanos());
        session.tick(clock.get());
        assertEquals("ERROR connection-timeout", transport.last());
    }

    @Test
    void aStreamThatNeverLogsInIsEndedAfterTheLoginTimeout() {
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession session = (XmppSession) service(SecurityPolicy.off()).stream(transport);
        session.opened(open());
        clock.addAndGet(LOGIN.toNanos() - 1);
        session.tick(clock.get());
        assertFalse(transport.last().startsWith("ERROR"));
        clock.addAndGet(1);
        session.tick(clock.get());
        assertEquals("ERROR connection-timeout", transport.last());
    }

    @Test
    void aTakenResourceGetsASuffixAndBothSessionsAreReachable() throws Exception {
        XmppService service = service(SecurityPolicy.off());
        Recorder first = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        bound(service, first, "dup");
        Recorder second = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession other = (XmppSession) service.stream(second);
        other.opened(open());
        other.received(auth("PLAIN", base64("\0dup\0pw")));
        other.opened(open());
        other.received(parse("<iq type=\"set\" id=\"b\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><resource>r</resource></bind></iq>"));
        assertTrue(second.last().contains("<jid>dup@localhost/r-"), second.last());
        assertEquals(2, service.boundResources());
    }

    @Test
    void anIqWithoutAnIdIsABadRequestAndAnUnknownElementEndsTheStream() throws Exception {
        XmppService service = service(SecurityPolicy.off());
        Recorder transport = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession session = bound(service, transport, "odd");
        session.received(parse("<iq type=\"get\"><ping xmlns=\"urn:xmpp:ping\"/></iq>"));
        assertTrue(transport.last().contains("<bad-request "), transport.last());
        session.received(parse("<foo xmlns=\"jabber:client\"/>"));
        assertEquals("ERROR unsupported-stanza-type", transport.last());
    }

    @Test
    void theEndOfASessionTellsTheOthersItIsUnavailable() throws Exception {
        XmppService service = service(SecurityPolicy.off());
        Recorder a = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession alice = bound(service, a, "alice");
        alice.received(parse("<presence/>"));
        Recorder b = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession bob = bound(service, b, "bob");
        bob.received(parse("<presence/>"));
        assertTrue(b.sent.stream().anyMatch(s -> s.startsWith("<presence") && s.contains("from=\"alice@localhost/r\"")),
                "bob was told alice is online");
        alice.disconnected();
        assertTrue(b.last().contains("from=\"alice@localhost/r\" type=\"unavailable\""), b.last());
        assertEquals(1, service.boundResources());
    }

    @Test
    void aRosterPushGoesOutOncePerAccountWhereverItComesOnline() throws Exception {
        OtherNodes others = new OtherNodes();
        XmppService service = service(SecurityPolicy.off(), others);
        Recorder watching = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        askForTheRoster(bound(service, watching, "alice"), watching);
        Recorder notAsking = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        bound(service, notAsking, "zed");
        assertEquals(1, rosterPushes(watching, "zed"));

        // bob's first resource anywhere binds here: the push here, and the other nodes are told once
        bound(service, new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE), "bob", "desk");
        bound(service, new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE), "bob", "phone");
        assertEquals(1, rosterPushes(watching, "bob"));
        assertEquals(List.of(new Jid("alice", "localhost", null), new Jid("zed", "localhost", null),
                new Jid("bob", "localhost", null)), others.toldOnline);
        assertEquals(0, rosterPushes(notAsking, "bob"), "only a session that asked for its roster gets pushes");

        // carol comes online on another node: the push here too; her second resource, here, brings none
        others.comesOnline("carol");
        assertEquals(1, rosterPushes(watching, "carol"));
        bound(service, new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE), "carol", "web");
        assertEquals(1, rosterPushes(watching, "carol"));
        assertEquals(3, others.toldOnline.size(), "carol was online elsewhere already");
        assertEquals(0, rosterPushes(notAsking, "carol"));
    }

    @Test
    void withSecurityOnTheRosterNeverChangesOnAnyNode() throws Exception {
        OtherNodes others = new OtherNodes();
        XmppService service = service(securityOn("alice:{noop}pw:user,bob:{noop}pw:user,carol:{noop}pw:user"), others);
        Recorder watching = new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE);
        XmppSession alice = bound(service, watching, "alice");
        askForTheRoster(alice, watching);
        assertTrue(watching.last().contains("jid=\"bob@localhost\"") && watching.last().contains("jid=\"carol@localhost\""),
                watching.last());
        bound(service, new Recorder(metrics, XmppTransport.Tls.UNAVAILABLE), "bob");
        others.comesOnline("carol");
        assertEquals(0, rosterPushes(watching, "bob") + rosterPushes(watching, "carol"));
        assertEquals(List.of(), others.toldOnline);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
