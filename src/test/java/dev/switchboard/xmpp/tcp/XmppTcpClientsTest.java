package dev.switchboard.xmpp.tcp;

import dev.switchboard.testing.RunningServer;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.StanzaListener;
import org.jivesoftware.smack.chat2.ChatManager;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Desktop-class clients over the TCP listener of a whole standalone server (security off: any
 * name, any password; a keystore, so STARTTLS is required): Smack logs in, sees presence and
 * chats 1:1 and in a room; Debian's slixmpp sends a message a Smack client receives.
 */
class XmppTcpClientsTest {

    static {
        // Aalto (on the classpath for the TCP reader) registers itself as the default StAX, and
        // Smack's StAX parser adapter then trips its own assertion on Aalto's "" for the default
        // namespace's prefix (the JDK's says null): Smack gets the JDK's StAX, as it would elsewhere
        System.setProperty("javax.xml.stream.XMLInputFactory", "com.sun.xml.internal.stream.XMLInputFactoryImpl");
    }

    @TempDir
    static Path dir;
    private static Path keystore;
    private static X509TrustManager trust;
    private static RunningServer server;
    private static int xmppPort;

    private final List<XMPPTCPConnection> clients = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        keystore = XmppTcpListenerTest.makeKeystore(dir.resolve("xmpp.p12"));
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trusted.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                trust = x509;
            }
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // xmpp.tcp-port 0 means off, so a free one is picked here
        }
        // the rate limit out of the way: one test sends 2,000 messages as fast as Smack can
        server = RunningServer.start(Map.of("xmpp.tcp-port", Integer.toString(port),
                "tls.keystore", keystore.toString(), "tls.keystore-password", "changeit",
                "rate.messages-per-second", "100000", "rate.burst", "100000"));
        xmppPort = server.server().xmppTcpPort();
        assertEquals(port, xmppPort);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void disconnectClients() {
        for (XMPPTCPConnection client : clients) {
            client.disconnect();
        }
    }

    private XMPPTCPConnection smack(String name) throws Exception {
        XMPPTCPConnectionConfiguration config = XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain("localhost")
                .setHostAddress(InetAddress.getLoopbackAddress())
                .setPort(xmppPort)
                .setUsernameAndPassword(name, "any password")
                .setResource("smack")
                .setSecurityMode(ConnectionConfiguration.SecurityMode.required)
                .setCustomX509TrustManager(trust)
                .build();
        XMPPTCPConnection connection = new XMPPTCPConnection(config);
        clients.add(connection);
        connection.connect().login();
        return connection;
    }

    @Test
    void smackLogsInOverStartTlsSeesPresenceAndChatsOneToOne() throws Exception {
        XMPPTCPConnection alice = smack("alice");
        BlockingQueue<Presence> presences = new LinkedBlockingQueue<>();
        alice.addAsyncStanzaListener((StanzaListener) stanza -> presences.add((Presence) stanza), StanzaTypeFilter.PRESENCE);
        XMPPTCPConnection bob = smack("bob");
        assertTrue(alice.isSecureConnection() && bob.isSecureConnection(), "STARTTLS was not negotiated");
        assertEquals("alice@localhost/smack", alice.getUser().toString());

        bob.sendStanza(bob.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.available)
                .setMode(Presence.Mode.dnd).setStatus("in a meeting").build());
        Presence busy = awaitPresence(presences, "bob@localhost/smack", Presence.Mode.dnd);
        assertEquals("in a meeting", busy.getStatus());

        BlockingQueue<Message> toBob = new LinkedBlockingQueue<>();
        ChatManager.getInstanceFor(bob).addIncomingListener((from, message, chat) -> toBob.add(message));
        ChatManager.getInstanceFor(alice).chatWith(JidCreate.entityBareFrom("bob@localhost")).send("hello over TCP");
        Message received = toBob.poll(15, TimeUnit.SECONDS);
        assertNotNull(received, "bob got no message");
        assertEquals("hello over TCP", received.getBody());
        assertEquals("alice@localhost/smack", received.getFrom().toString());
    }

    @Test
    void twoThousandMessagesArriveInOrder() throws Exception {
        XMPPTCPConnection gina = smack("gina");
        XMPPTCPConnection hank = smack("hank");
        BlockingQueue<Message> toHank = new LinkedBlockingQueue<>();
        ChatManager.getInstanceFor(hank).addIncomingListener((from, message, chat) -> toHank.add(message));
        var chat = ChatManager.getInstanceFor(gina).chatWith(JidCreate.entityBareFrom("hank@localhost"));
        // a message to a bare JID goes to the user's available resources: wait until hank's initial
        // presence has reached the server (gina sees it), or the first messages are service-unavailable
        org.jivesoftware.smack.roster.Roster roster = org.jivesoftware.smack.roster.Roster.getInstanceFor(gina);
        var hankJid = JidCreate.entityBareFrom("hank@localhost");
        dev.switchboard.testing.Await.until("hank available to gina", java.time.Duration.ofSeconds(15),
                () -> roster.getPresence(hankJid).isAvailable());
        int count = 2000;
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            chat.send("m" + i);
        }
        for (int i = 0; i < count; i++) {
            Message received = toHank.poll(15, TimeUnit.SECONDS);
            assertNotNull(received, "message " + i + " of " + count + " never came");
            assertEquals("m" + i, received.getBody());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("Smack over TCP+TLS: %d chat messages in %.2f s (%.0f/s)%n", count, seconds, count / seconds);
    }

    private static Presence awaitPresence(BlockingQueue<Presence> presences, String from, Presence.Mode mode)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Presence presence = presences.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (presence == null) {
                break;
            }
            seen.add(presence.toXML().toString());
            if (presence.getFrom() != null && presence.getFrom().toString().equals(from) && presence.getMode() == mode) {
                return presence;
            }
        }
        throw new AssertionError("no " + mode + " presence from " + from + "; saw " + seen);
    }

    @Test
    void smackClientsShareARoom() throws Exception {
        XMPPTCPConnection carol = smack("carol");
        XMPPTCPConnection dave = smack("dave");
        MultiUserChat carolsRoom = MultiUserChatManager.getInstanceFor(carol)
                .getMultiUserChat(JidCreate.entityBareFrom("tcproom@conference.localhost"));
        MultiUserChat davesRoom = MultiUserChatManager.getInstanceFor(dave)
                .getMultiUserChat(JidCreate.entityBareFrom("tcproom@conference.localhost"));
        carolsRoom.join(Resourcepart.from("carol"));
        BlockingQueue<Message> toDave = new LinkedBlockingQueue<>();
        davesRoom.addMessageListener(toDave::add);
        davesRoom.join(Resourcepart.from("dave"));
        carolsRoom.sendMessage("hello room");
        Message received = toDave.poll(15, TimeUnit.SECONDS);
        while (received != null && !"hello room".equals(received.getBody())) {
            received = toDave.poll(15, TimeUnit.SECONDS); // the subject, on joining
        }
        assertNotNull(received, "dave got no room message");
        assertEquals("tcproom@conference.localhost/carol", received.getFrom().toString());
    }

    @Test
    void theRealServerRequiresStartTlsBeforeSasl() throws Exception {
        try (RawXmppClient raw = new RawXmppClient(xmppPort).reading()) {
            raw.send(XmppTcpListenerTest.HEADER);
            int features = raw.await("<required/></starttls>");
            raw.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldA==</auth>");
            raw.await("<policy-violation xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>", features);
            raw.await("</stream:stream>", features);
            raw.awaitEnd();
        }
    }

    @Test
    void slixmppFromDebianSendsAMessageThatSmackReceives() throws Exception {
        XMPPTCPConnection erin = smack("erin");
        BlockingQueue<Message> toErin = new LinkedBlockingQueue<>();
        ChatManager.getInstanceFor(erin).addIncomingListener((from, message, chat) -> toErin.add(message));

        Path pem = dir.resolve("xmpp.pem");
        Process export = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-exportcert", "-rfc", "-alias", "switchboard", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", pem.toString()).redirectErrorStream(true).start();
        assertTrue(export.waitFor(60, TimeUnit.SECONDS) && export.exitValue() == 0,
                new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Path script = Path.of("src/test/resources/xmpp/slixmpp-send.py").toAbsolutePath();
        Process slixmpp = new ProcessBuilder("/usr/bin/python3", script.toString(), "127.0.0.1", Integer.toString(xmppPort),
                "frank@localhost/slixmpp", "any password", "erin@localhost", "hello from slixmpp", pem.toString())
                .redirectErrorStream(true).start();
        try {
            boolean done = slixmpp.waitFor(60, TimeUnit.SECONDS);
            if (!done) {
                slixmpp.destroyForcibly();
            }
            String output = new String(slixmpp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(done && slixmpp.exitValue() == 0, "slixmpp: " + output);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            slixmpp.destroyForcibly();
        }
        Message received = toErin.poll(15, TimeUnit.SECONDS);
        assertNotNull(received, "erin got nothing from slixmpp");
        assertEquals("hello from slixmpp", received.getBody());
        assertEquals("frank@localhost/slixmpp", received.getFrom().toString());
    }
}
