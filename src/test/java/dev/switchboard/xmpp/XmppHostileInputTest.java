package dev.switchboard.xmpp;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.ProcessResources;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an attacker sends the XMPP endpoint, over a real WebSocket: each answered as the contract
 * says (a stream error, then {@code <close/>} and 1000; 1003 for binary; 1002 without the
 * subprotocol), each counted, and the server unharmed.
 */
class XmppHostileInputTest {

    private static final String OPEN = "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"localhost\" version=\"1.0\"/>";
    private static final Map<String, String> XMPP = Map.of("Sec-WebSocket-Protocol", "xmpp");
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = RunningServer.start(Map.of("rate.messages-per-second", "20", "rate.burst", "20"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A stream that has opened and read the server's open and features. */
    private static WsClient opened() throws InterruptedException {
        WsClient client = WsClient.connect(server.ws("xmpp"), XMPP);
        client.sendText(OPEN);
        assertTrue(client.nextText().startsWith("<open "));
        assertTrue(client.nextText().contains("<mechanisms"));
        return client;
    }

    /** A stream logged in (PLAIN, security off) and bound. */
    private static WsClient bound(String user) throws InterruptedException {
        WsClient client = opened();
        String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0x").getBytes(StandardCharsets.UTF_8));
        client.sendText("<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">" + plain + "</auth>");
        assertTrue(client.nextText().startsWith("<success"));
        client.sendText(OPEN);
        client.nextText();
        assertTrue(client.nextText().contains("<bind"));
        client.sendText("<iq xmlns=\"jabber:client\" type=\"set\" id=\"b\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq>");
        assertTrue(client.nextText().contains("<jid>" + user + "@localhost/"));
        return client;
    }

    /** Sends one message and expects the stream error, the close element and close code 1000. */
    private static void streamErrorFor(WsClient client, String message, String condition) throws Exception {
        client.sendText(message);
        String error = client.nextText();
        assertTrue(error.startsWith("<stream:error") && error.contains("<" + condition + " "), error);
        assertEquals(XmppWriter.CLOSE, client.nextText());
        assertEquals(1000, client.awaitClose().code());
    }

    private static double errors(String code) throws Exception {
        return server.metric("switchboard_errors_total{code=\"" + code + "\",endpoint=\"xmpp\"}");
    }

    @Test
    void notWellFormedXmlEndsTheStream() throws Exception {
        double before = errors("not-well-formed");
        try (WsClient client = opened()) {
            streamErrorFor(client, "<message><body>unclosed</message>", "not-well-formed");
        }
        assertTrue(errors("not-well-formed") > before);
    }

    @Test
    void billionLaughsIsRestrictedXml() throws Exception {
        String laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]><message>&lol3;</message>";
        double before = errors("restricted-xml");
        try (WsClient client = opened()) {
            streamErrorFor(client, laughs, "restricted-xml");
        }
        assertTrue(errors("restricted-xml") > before);
    }

    @Test
    void anExternalEntityIsNeverRead() throws Exception {
        try (WsClient client = opened()) {
            streamErrorFor(client, "<!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><message><body>&x;</body></message>",
                    "restricted-xml");
        }
    }

    @Test
    void aProcessingInstructionIsRestrictedXml() throws Exception {
        try (WsClient client = opened()) {
            streamErrorFor(client, "<?evil run?><message/>", "restricted-xml");
        }
    }

    @Test
    void aStanzaJustOverTheLimitIsAPolicyViolation() throws Exception {
        double before = errors("policy-violation");
        try (WsClient client = bound("big")) {
            String body = "x".repeat(XmppFraming.DEFAULT_MAX_STANZA_BYTES);
            streamErrorFor(client, "<message to=\"a@localhost\"><body>" + body + "</body></message>", "policy-violation");
        }
        assertTrue(errors("policy-violation") > before);
    }

    /** Ten times: a client still writing its 10 MB must still read the notice and the 1009 (it once got a reset). */
    @RepeatedTest(10)
    void aTenMegabyteStanzaIsRefusedWithoutBeingHeld() throws Exception {
        long heapBefore = ProcessResources.usedHeapAfterGc();
        double closesBefore = server.metric("switchboard_closes_total{code=\"1009\",endpoint=\"xmpp\"}");
        try (WsClient client = bound("huge")) {
            client.sendRefused("<message to=\"a@localhost\"><body>" + "x".repeat(10 * 1024 * 1024) + "</body></message>");
            String error = client.nextText();
            assertTrue(error.startsWith("<stream:error") && error.contains("<policy-violation "), error);
            assertEquals(1009, client.awaitRefusalCode());
        }
        // far over the limit the transport stops reading: the stream error, then 1009
        Await.until("the 1009 close counted", Duration.ofSeconds(10),
                () -> server.metricNow("switchboard_closes_total{code=\"1009\",endpoint=\"xmpp\"}") > closesBefore);
        assertTrue(ProcessResources.usedHeapAfterGc() < heapBefore + 8 * 1024 * 1024, "the 10 MB was not kept");
    }

    @Test
    void tenThousandDeepNestingIsAPolicyViolation() throws Exception {
        try (WsClient client = bound("deep")) {
            String deep = "<a>".repeat(10_000) + "</a>".repeat(10_000);
            streamErrorFor(client, "<message to=\"a@localhost\">" + deep + "</message>", "policy-violation");
        }
    }

    @Test
    void aBinaryFrameClosesWith1003() throws Exception {
        double before = errors("binary-frame");
        try (WsClient client = opened()) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, client.awaitClose().code());
        }
        assertTrue(errors("binary-frame") > before);
    }

    @Test
    void aHandshakeWithoutTheSubprotocolIsClosedWith1002() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("xmpp"))) {
            assertEquals(1002, client.awaitClose().code());
        }
    }

    @Test
    void stanzasBeforeLoginEndTheStreamNotAuthorized() throws Exception {
        try (WsClient client = opened()) {
            streamErrorFor(client, "<message to=\"bob@localhost\"><body>hi</body></message>", "not-authorized");
        }
    }

    @Test
    void anOpenForAnotherDomainIsHostUnknown() throws Exception {
        try (WsClient client = WsClient.connect(server.ws("xmpp"), XMPP)) {
            client.sendText(OPEN.replace("localhost", "example.org"));
            assertTrue(client.nextText().startsWith("<open "));
            String error = client.nextText();
            assertTrue(error.contains("<host-unknown "), error);
        }
    }

    @Test
    void bindingASecondResourceOnOneStreamIsNotAllowed() throws Exception {
        try (WsClient client = bound("twice")) {
            client.sendText("<iq xmlns=\"jabber:client\" type=\"set\" id=\"b2\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\">"
                    + "<resource>other</resource></bind></iq>");
            String answer = client.nextText();
            assertTrue(answer.contains("type=\"error\"") && answer.contains("<not-allowed "), answer);
        }
    }

    @Test
    void aFloodOfPresenceIsSlowedThenEnded() throws Exception {
        double before = errors("rate-limited");
        long threadsBefore = ProcessResources.serverThreads();
        try (WsClient client = bound("flood")) {
            for (int i = 0; i < 200; i++) {
                client.sendRefused("<presence><status>" + i + "</status></presence>");
            }
            boolean sawConstraint = false;
            String last = "";
            while (!last.contains("<close ")) {
                last = client.nextText();
                sawConstraint |= last.contains("<resource-constraint ");
            }
            assertTrue(sawConstraint, "stanzas over the rate were answered resource-constraint");
            assertEquals(1000, client.awaitClose().code());
        }
        assertTrue(errors("rate-limited") > before);
        Await.until("threads back", Duration.ofSeconds(10), () -> ProcessResources.serverThreads() <= threadsBefore + 2);
    }
}
