package dev.switchboard.server;

import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real {@code target/switchboard.war}, deployed into Payara Micro (managed by Arquillian),
 * answering on echo, health and metrics exactly as the standalone server does.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PayaraDeploymentIT {

    @Deployment(testable = false)
    static WebArchive switchboardWar() {
        File war = new File(System.getProperty("switchboard.test.war", "target/switchboard.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    @ArquillianResource
    private URL deployed;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Payara reports its interface address; everything here stays on loopback. */
    private URI base() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath()
                + (deployed.getPath().endsWith("/") ? "" : "/"));
    }

    private URI ws(String path) {
        return URI.create(base().toString().replaceFirst("^http", "ws")).resolve(path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void warIsDeployedUnderSwitchboard() {
        assertEquals("/switchboard/", base().getPath());
    }

    @Test
    void echoAnswersTextAndBinaryInTheApplicationServer() throws Exception {
        try (WsClient client = WsClient.connect(ws("echo"))) {
            assertEquals("hello Payara", client.sendText("hello Payara").nextText());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, client.sendBinary(new byte[] {1, 2, 3, 4}).next().binary());
        }
    }

    @Test
    void oversizedMessageClosesWith1009() throws Exception {
        try (WsClient client = WsClient.connect(ws("echo"))) {
            client.sendText("x".repeat(1024 * 1024 + 1));
            assertEquals(1009, client.awaitClose().code());
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", deployed.getPort(), base().getPath() + "echo")) {
            raw.sendFrame(RawWebSocket.TEXT, true, new byte[] {(byte) 0xC3, (byte) 0x28});
            assertEquals(1007, raw.awaitCloseCode());
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002AsStandalone() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", deployed.getPort(), base().getPath() + "echo")) {
            raw.sendUnmaskedFrame(RawWebSocket.TEXT, "hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(1002, raw.awaitCloseCode(), "RFC 6455 §5.1: a server closes on an unmasked frame");
        }
    }

    @Test
    void foreignOriginIsRefusedWith403() {
        assertEquals(403, WsClient.refusedStatus(ws("echo"), "https://evil.example"));
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        HttpResponse<String> health = get("health");
        assertEquals(200, health.statusCode());
        JsonObject report = Json.createReader(new StringReader(health.body())).readObject();
        assertEquals("UP", report.getString("status"));

        try (WsClient client = WsClient.connect(ws("echo"))) {
            client.sendText("count me").nextText();
            HttpResponse<String> metrics = get("metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("switchboard_connections_open{endpoint=\"echo\"}"), metrics.body());
            assertTrue(metrics.body().contains("switchboard_messages_received_total{endpoint=\"echo\"}"));
        }
    }

    @Test
    void pagesAreServedByTheWar() throws Exception {
        HttpResponse<String> index = get("");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("echo.html"));
        assertEquals(200, get("echo.html").statusCode());
        assertEquals(200, get("js/ws.js").statusCode());
        assertTrue(index.body().contains("overhead.html"));
        assertEquals(200, get("overhead.html").statusCode());
    }

    @Test
    void overheadPollAndTickerAnswerInTheApplicationServer() throws Exception {
        HttpResponse<String> poll = get("overhead/poll?client=payara");
        assertEquals(200, poll.statusCode());
        assertEquals("quote", Json.createReader(new StringReader(poll.body())).readObject().getString("type"));
        try (WsClient ticker = WsClient.connect(ws("overhead/ticker"))) {
            JsonObject quote = Json.createReader(new StringReader(ticker.nextText())).readObject();
            assertEquals("quote", quote.getString("type"));
            JsonObject stats = Json.createReader(new StringReader(get("overhead/stats").body())).readObject();
            assertTrue(stats.getJsonObject("polling").getInt("updates") >= 1);
            assertTrue(stats.getJsonObject("polling").getJsonObject("perUpdate").getJsonNumber("total").doubleValue() > 0);
            assertTrue(stats.getJsonObject("websocket").getInt("clients") >= 1);
        }
    }

    @Test
    void chatRoomWorksInTheApplicationServer() throws Exception {
        try (WsClient alice = WsClient.connect(ws("chat/payara")); WsClient bob = WsClient.connect(ws("chat/payara"))) {
            alice.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
            assertTrue(alice.nextText().contains("\"type\":\"welcome\""));
            bob.sendText("{\"type\":\"join\",\"nick\":\"bob\"}");
            assertTrue(bob.nextText().contains("\"members\":[{\"nick\":\"alice\""));
            assertTrue(alice.nextText().contains("\"type\":\"presence\""));
            bob.sendText("{\"type\":\"message\",\"text\":\"hi from bob\"}");
            JsonObject atAlice = Json.createReader(new StringReader(alice.nextText())).readObject();
            assertEquals("hi from bob", atAlice.getString("text"));
            assertEquals("bob", atAlice.getString("from"));
        }
    }

    @Test
    void largeImageIsDroppedToTheOtherMemberInTheApplicationServer() throws Exception {
        byte[] image = java.util.Arrays.copyOf(dev.switchboard.testing.TestImages.png(8, 8), 5 * 1024 * 1024);
        try (WsClient sender = WsClient.connect(ws("images/payara")); WsClient viewer = WsClient.connect(ws("images/payara"))) {
            assertTrue(sender.nextText().contains("\"welcome\""));
            assertTrue(viewer.nextText().contains("\"welcome\""));
            sender.sendBinary(image);
            assertTrue(sender.nextText().contains("\"ack\""));
            assertTrue(viewer.nextText().contains("\"image/png\""));
            assertArrayEquals(image, viewer.next().binary(), "5 MiB, byte for byte, through Payara's Tyrus");
        }
    }

    @Test
    void stompBrokerAndItsClientLibraryWorkInTheApplicationServer() throws Exception {
        assertEquals(200, get("webjars/stomp__stompjs/7.2.1/esm6/index.js").statusCode(), "stomp.js is served from its WebJar");
        assertEquals(200, get("stomp-stats").statusCode());
        try (WsClient a = WsClient.connect(ws("stomp")); WsClient b = WsClient.connect(ws("stomp"))) {
            a.sendText("CONNECT\naccept-version:1.2\nhost:payara\n\n\0SUBSCRIBE\nid:s\ndestination:/queue/payara\nreceipt:r\n\n\0");
            assertTrue(a.nextText().startsWith("CONNECTED\nversion:1.2"));
            assertTrue(a.nextText().startsWith("RECEIPT"));
            b.sendText("CONNECT\naccept-version:1.1\n\n\0SEND\ndestination:/queue/payara\n\nfrom payara\0");
            assertTrue(b.nextText().startsWith("CONNECTED\nversion:1.1"));
            String message = a.nextText();
            assertTrue(message.startsWith("MESSAGE\n") && message.endsWith("from payara\0"), message);
        }
    }

    @Test
    void persistentMessagesGoToTheStoreUnderTheInstanceAndSelectorsAndDurableSubscriptionsWorkInTheApplicationServer()
            throws Exception {
        try (WsClient sender = WsClient.connect(ws("stomp")); WsClient durable = WsClient.connect(ws("stomp"))) {
            durable.sendText("CONNECT\naccept-version:1.2\nhost:payara\nclient-id:payara-app\n\n\0"
                    + "SUBSCRIBE\nid:d\ndestination:/topic/payara-audit\ndurable-subscription-name:audit\n"
                    + "selector:level > 2\nreceipt:sub\n\n\0UNSUBSCRIBE\nid:d\nreceipt:away\n\n\0");
            assertTrue(durable.nextText().startsWith("CONNECTED"));
            assertTrue(durable.nextText().startsWith("RECEIPT"));
            assertTrue(durable.nextText().startsWith("RECEIPT"));
            sender.sendText("CONNECT\naccept-version:1.2\nhost:payara\n\n\0"
                    + "SEND\ndestination:/queue/payara-kept\npersistent:true\nreceipt:stored\n\nkept\0"
                    + "SEND\ndestination:/topic/payara-audit\nlevel:1\npersistent:true\n\nlow\0"
                    + "SEND\ndestination:/topic/payara-audit\nlevel:5\npersistent:true\nreceipt:sent\n\nhigh\0");
            assertTrue(sender.nextText().startsWith("CONNECTED"));
            assertTrue(sender.nextText().contains("receipt-id:stored"));
            assertTrue(sender.nextText().contains("receipt-id:sent"));
            JsonObject stats = Json.createReader(new StringReader(get("stomp-stats").body())).readObject();
            assertEquals("UP", stats.getJsonObject("store").getString("state"), "the journal opened inside Payara");
            assertTrue(stats.getJsonObject("totals").getInt("persistentMessages") >= 2, stats.toString());
            durable.sendText("SUBSCRIBE\nid:d2\ndestination:/topic/payara-audit\ndurable-subscription-name:audit\n"
                    + "selector:level > 2\n\n\0");
            String message = durable.nextText();
            assertTrue(message.startsWith("MESSAGE\n") && message.endsWith("high\0"), "only what the selector took: " + message);
        }
    }

    @Test
    void vncViewerAndItsLibraryAreServedAndUnknownTargetsAreRefused() throws Exception {
        assertEquals(200, get("vnc.html").statusCode());
        assertEquals(200, get("vendor/novnc/core/rfb.js").statusCode(), "noVNC from npm is in the WAR");
        assertEquals("{\"targets\":[]}", get("vnc-targets").body());
        try (WsClient client = WsClient.connect(ws("vnc/desk"))) {
            assertEquals(1008, client.awaitClose().code(), "nothing is configured, so nothing is dialled");
        }
    }

    @Test
    void consoleOperatorFromLoopbackDrivesATargetInTheApplicationServer() throws Exception {
        try (WsClient operator = WsClient.connect(ws("console")); WsClient target = WsClient.connect(ws("console"))) {
            target.sendText("{\"type\":\"attach\",\"role\":\"target\",\"label\":\"payara tab\"}");
            assertTrue(target.nextText().contains("\"attached\""));
            operator.sendText("{\"type\":\"attach\",\"role\":\"operator\"}");
            assertTrue(operator.nextText().contains("\"attached\""), "loopback is seen as loopback through Payara");
            operator.sendText("{\"type\":\"eval\",\"id\":\"p\",\"code\":\"6*7\"}");
            String eval;
            do {
                eval = target.nextText();
            } while (!eval.contains("\"eval\""));
            String internal = Json.createReader(new StringReader(eval)).readObject().getString("id");
            target.sendText("{\"type\":\"result\",\"id\":\"" + internal + "\",\"value\":\"42\"}");
            String result;
            do {
                result = operator.nextText();
            } while (!result.contains("\"result\""));
            assertTrue(result.contains("\"value\":\"42\""), result);
        }
    }

    @Test
    void xmppOccupantAndJsonMemberShareARoomInTheApplicationServer() throws Exception {
        String open = "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"localhost\" version=\"1.0\"/>";
        try (WsClient json = WsClient.connect(ws("chat/xmpproom"));
             WsClient xmpp = WsClient.connect(ws("xmpp"), java.util.Map.of("Sec-WebSocket-Protocol", "xmpp"))) {
            json.sendText("{\"type\":\"join\",\"nick\":\"jay\"}");
            assertTrue(json.nextText().contains("\"type\":\"welcome\""));
            xmpp.sendText(open);
            assertTrue(xmpp.nextText().startsWith("<open "));
            assertTrue(xmpp.nextText().contains("<mechanism>PLAIN</mechanism>"));
            xmpp.sendText("<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">"
                    + java.util.Base64.getEncoder().encodeToString("\0ann\0x".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + "</auth>");
            assertTrue(xmpp.nextText().startsWith("<success"));
            xmpp.sendText(open);
            xmpp.nextText();
            xmpp.nextText();
            xmpp.sendText("<iq type=\"set\" id=\"b\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq>");
            assertTrue(xmpp.nextText().contains("<jid>ann@localhost/"));
            xmpp.sendText("<presence to=\"xmpproom@conference.localhost/ann\"/>");
            String subject;
            do {
                subject = xmpp.nextText();
            } while (!subject.contains("<subject/>"));
            json.sendText("{\"type\":\"message\",\"text\":\"hello xmpp\"}");
            String message;
            do {
                message = xmpp.nextText();
            } while (!message.contains("<body>"));
            assertTrue(message.contains("from=\"xmpproom@conference.localhost/jay\"") && message.contains("<body>hello xmpp</body>"),
                    message);
        }
    }
}
