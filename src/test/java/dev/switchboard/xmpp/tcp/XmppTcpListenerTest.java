package dev.switchboard.xmpp.tcp;

import dev.switchboard.ops.SwitchboardMetrics;
import dev.switchboard.testing.Await;
import dev.switchboard.testing.ProcessResources;
import dev.switchboard.xmpp.XmlElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener over real sockets, with {@link EchoSession} as the stream's session. */
class XmppTcpListenerTest {

    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>";
    private static final int MAX_STANZA = 256 * 1024;

    @TempDir
    static Path dir;
    private static Path keystore;

    private final SwitchboardMetrics metrics = new SwitchboardMetrics();
    private final List<EchoSession> sessions = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private XmppTcpListener listener;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = dir.resolve("xmpp.p12");
        keystore = makeKeystore(keystore);
    }

    static Path makeKeystore(Path keystore) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "switchboard", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                new String(keytool.getInputStream().readAllBytes()));
        return keystore;
    }

    static SSLContext trusting(Path store) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            trusted.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static XmppTcpListener.Settings settings() {
        return new XmppTcpListener.Settings("127.0.0.1", 0, "localhost", MAX_STANZA, 4L * 1024 * 1024,
                Duration.ofMinutes(5), Duration.ofSeconds(30), 100, null, 2);
    }

    private XmppTcpListener start(XmppTcpListener.Settings settings) throws IOException {
        listener = new XmppTcpListener(settings, transport -> {
            EchoSession session = new EchoSession(transport);
            sessions.add(session);
            return session;
        }, metrics.endpoint("xmpp-tcp"), () -> 0).start();
        return listener;
    }

    private RawXmppClient client() throws IOException {
        RawXmppClient client = new RawXmppClient(listener.port());
        open.add(client);
        return client;
    }

    private EchoSession session(int index) {
        Await.until("session " + index, () -> sessions.size() > index);
        return sessions.get(index);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        if (listener != null) {
            listener.close();
        }
        metrics.close();
    }

    @Test
    void aStreamOpensWithTheHeaderAndFeaturesAndClosesBothWays() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send(HEADER);
        int at = client.await("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s1' version='1.0' xml:lang='en'>");
        client.await("<mechanism>PLAIN</mechanism>", at);
        client.send("</stream:stream>");
        client.await("</stream:stream>");
        client.awaitEnd();
        assertTrue(session(0).disconnected.await(10, TimeUnit.SECONDS));
        Await.until("the connection counted closed", () -> listener.openConnections() == 0);
    }

    @Test
    void aClientThatHalfClosesAfterItsClosingTagStillGetsOurs() throws Exception {
        start(settings());
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", listener.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((HEADER + "<presence id='last'/></stream:stream>").getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.contains("id=\"last\"") && all.endsWith("</stream:stream>"), all);
        }
        assertTrue(session(0).disconnected.await(10, TimeUnit.SECONDS));
    }

    @Test
    void aStanzaSplitAcrossManyWritesAndTwoInOneWriteAreEchoed() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send(HEADER);
        client.await("</stream:features>");
        byte[] message = "<message to='bob@localhost' id='split'><body>héllo ☺ wörld</body></message>"
                .getBytes(StandardCharsets.UTF_8);
        for (byte b : message) {
            client.send(new byte[] {b});
        }
        int at = client.await("id=\"split\"");
        client.await("héllo ☺ wörld", at);
        client.send("<presence id='one'/><iq type='get' id='two'><ping xmlns='urn:xmpp:ping'/></iq>");
        client.await("<ping xmlns=\"urn:xmpp:ping\"/>", client.await("id=\"one\"/>", at));
        assertEquals(3, session(0).received.size());
    }

    @Test
    void whitespaceKeepalivesAreIgnoredAndTheServerSendsItsOwnToAQuietStream() throws Exception {
        start(new XmppTcpListener.Settings("127.0.0.1", 0, "localhost", 1024, 1 << 20, Duration.ofMinutes(5),
                Duration.ofMillis(200), 100, null, 2));
        RawXmppClient client = client().reading();
        client.send(HEADER);
        int features = client.await("</stream:features>");
        for (int i = 0; i < 50; i++) {
            client.send("    \n");
        }
        client.send("<presence id='after-spaces'/>");
        int echoed = client.await("id=\"after-spaces\"/>", features);
        // the server's own: a single space after a quiet keepalive-interval
        client.await(" ", echoed);
        assertEquals(1, session(0).received.size());
        assertFalse(client.ended());
    }

    @Test
    void aStreamRestartAfterSaslSuccessGetsAFreshParser() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send(HEADER);
        client.await("</stream:features>");
        client.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>");
        int success = client.await("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        client.send(HEADER + "<presence id='restarted'/>");
        int header = client.await("id='s2'", success);
        client.await("id=\"restarted\"/>", header);
        assertEquals(2, session(0).streams.get());
    }

    @Test
    void startTlsDiscardsWhatCameBeforeTheHandshakeAndTheStreamGoesOnEncrypted() throws Exception {
        XmppTcpListener.Settings plain = settings();
        start(new XmppTcpListener.Settings(plain.host(), 0, plain.domain(), plain.maxStanzaBytes(),
                plain.sendQueueBytes(), plain.idleTimeout(), plain.keepaliveInterval(), plain.maxConnections(),
                XmppTcpListener.serverContext(keystore.toString(), "changeit"), 2));
        RawXmppClient client = client();
        client.send(HEADER);
        String features = client.readUntil("</stream:features>");
        assertTrue(features.contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"), features);
        // RFC 6120 §5.4.3.3: a stanza injected after <starttls/> must never be read as if it came over TLS
        client.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><message id='injected'><body>evil</body></message>");
        client.readUntil("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        client.startTls(trusting(keystore));
        client.send(HEADER);
        int at = client.await("id='s2'");
        client.await("<mechanism>PLAIN</mechanism>", at);
        client.send("<message id='secret'><body>over TLS</body></message>");
        client.await("over TLS", at);
        EchoSession session = session(0);
        assertEquals(List.of("starttls", "message"), session.received.stream().map(XmlElement::name).toList());
        assertEquals("secret", session.received.get(1).attribute("id"));
        client.send("</stream:stream>");
        client.await("</stream:stream>");
        client.awaitEnd();
    }

    @Test
    void plainBytesInsteadOfATlsHandshakeEndTheConnection() throws Exception {
        XmppTcpListener.Settings plain = settings();
        start(new XmppTcpListener.Settings(plain.host(), 0, plain.domain(), plain.maxStanzaBytes(),
                plain.sendQueueBytes(), plain.idleTimeout(), plain.keepaliveInterval(), plain.maxConnections(),
                XmppTcpListener.serverContext(keystore.toString(), "changeit"), 2));
        RawXmppClient client = client();
        client.send(HEADER);
        client.readUntil("</stream:features>");
        client.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        client.readUntil("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        client.reading();
        client.send(HEADER + "<message><body>not TLS</body></message>");
        client.awaitEnd();
        assertTrue(session(0).disconnected.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("starttls"), session(0).received.stream().map(XmlElement::name).toList());
        Await.until("the connection counted closed", () -> listener.openConnections() == 0);
    }

    @Test
    void malformedXmlIsAStreamErrorThenTheEnd() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send(HEADER);
        client.await("</stream:features>");
        client.send("<message><body>oops</message>");
        int at = client.await("<not-well-formed xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>");
        client.await("</stream:stream>", at);
        client.awaitEnd();
        assertTrue(session(0).disconnected.await(10, TimeUnit.SECONDS));
    }

    @Test
    void anErrorBeforeAnyHeaderStillOpensTheStreamFirst() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send("GET / HTTP/1.1\r\n\r\n");
        int at = client.await("<stream:stream xmlns='jabber:client'");
        client.await("<not-well-formed", at);
        client.awaitEnd();
    }

    @Test
    void tenMegabytesInOneStanzaArePolicyViolationWithoutHoldingThem() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send(HEADER);
        client.await("</stream:features>");
        long heapBefore = ProcessResources.usedHeapAfterGc();
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
        client.send("<message><body>");
        try {
            for (int i = 0; i < 160 && !client.ended(); i++) {
                client.send(chunk);
            }
        } catch (IOException closedWhileSending) {
            // the server may close before the 10 MB are written: that is the point
        }
        client.await("<policy-violation xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>");
        client.awaitEnd();
        long grown = ProcessResources.usedHeapAfterGc() - heapBefore;
        assertTrue(grown < 8L * 1024 * 1024, "the heap grew by " + grown + " bytes");
        assertTrue(session(0).received.isEmpty());
    }

    @Test
    void tenThousandDeepIsPolicyViolation() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send(HEADER);
        client.await("</stream:features>");
        client.send("<message>" + "<a>".repeat(10_000));
        client.await("<policy-violation");
        client.awaitEnd();
    }

    @Test
    void billionLaughsIsRestrictedXml() throws Exception {
        start(settings());
        RawXmppClient client = client().reading();
        client.send("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                + "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                + "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
                + "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>&lol3;");
        client.await("<restricted-xml");
        client.awaitEnd();
    }

    @Test
    void aClientThatDoesNotReadIsClosedOnceItsOutboxIsFull() throws Exception {
        long cap = 64 * 1024;
        start(new XmppTcpListener.Settings("127.0.0.1", 0, "localhost", MAX_STANZA, cap, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 100, null, 2));
        RawXmppClient client = new RawXmppClient(listener.port(), 4096);
        open.add(client);
        client.send(HEADER);
        // 50 MB of answers to a client that reads nothing: the socket buffers fill, then the outbox
        client.send("<message flood='50000'/>");
        EchoSession session = session(0);
        assertTrue(session.disconnected.await(20, TimeUnit.SECONDS), "the slow reader was not closed");
        assertEquals(1.0, metrics.registry().get("switchboard.slow.consumer.closes").tag("endpoint", "xmpp-tcp")
                .counter().count());
    }

    @Test
    void aSilentClientIsClosedWithConnectionTimeout() throws Exception {
        start(new XmppTcpListener.Settings("127.0.0.1", 0, "localhost", MAX_STANZA, 1 << 20, Duration.ofMillis(500),
                Duration.ofSeconds(30), 100, null, 2));
        RawXmppClient client = client().reading();
        client.send(HEADER);
        int at = client.await("</stream:features>");
        client.await("<connection-timeout xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>", at);
        client.awaitEnd();
    }

    @Test
    void moreThanMaxConnectionsAreRefusedWithResourceConstraint() throws Exception {
        start(new XmppTcpListener.Settings("127.0.0.1", 0, "localhost", MAX_STANZA, 1 << 20, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 1, null, 2));
        RawXmppClient first = client().reading();
        first.send(HEADER);
        first.await("</stream:features>");
        RawXmppClient second = client().reading();
        second.await("<resource-constraint");
        second.awaitEnd();
        assertFalse(first.ended());
    }

    @Test
    void aThousandOpenStreamsTakeNoMoreThreadsAndLittleHeap() throws Exception {
        start(new XmppTcpListener.Settings("127.0.0.1", 0, "localhost", MAX_STANZA, 1 << 20, Duration.ofMinutes(5),
                Duration.ofSeconds(30), 2000, null, 2));
        long threadsBefore = ProcessResources.serverThreads();
        long heapBefore = ProcessResources.usedHeapAfterGc();
        List<java.net.Socket> sockets = new ArrayList<>();
        try {
            byte[] header = HEADER.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 1000; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", listener.port());
                sockets.add(socket);
                socket.getOutputStream().write(header);
            }
            Await.until("1,000 streams opened", Duration.ofSeconds(30), () -> sessions.size() == 1000
                    && sessions.stream().allMatch(session -> session.streams.get() == 1));
            long perStream = (ProcessResources.usedHeapAfterGc() - heapBefore) / 1000;
            long threads = ProcessResources.serverThreads() - threadsBefore;
            System.out.println("1,000 open XMPP TCP streams: " + perStream + " bytes of heap each, " + threads
                    + " more threads");
            assertTrue(threads <= 2, threads + " more threads for 1,000 streams");
            assertTrue(perStream < 64 * 1024, perStream + " bytes per stream");
        } finally {
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
        }
        Await.until("every stream closed", Duration.ofSeconds(30), () -> listener.openConnections() == 0);
    }

    @Test
    void closingTheListenerEndsEveryStreamWithSystemShutdown() throws Exception {
        start(settings());
        RawXmppClient one = client().reading();
        RawXmppClient two = client().reading();
        one.send(HEADER);
        two.send(HEADER);
        one.await("</stream:features>");
        two.await("</stream:features>");
        listener.close();
        for (RawXmppClient client : List.of(one, two)) {
            client.await("<system-shutdown xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>");
            client.awaitEnd();
        }
        assertTrue(session(0).disconnected.await(10, TimeUnit.SECONDS));
        assertTrue(session(1).disconnected.await(10, TimeUnit.SECONDS));
        assertEquals(0, listener.openConnections());
        Await.until("the listener's threads gone", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("xmpp-tcp-")));
    }
}
