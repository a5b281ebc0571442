package dev.switchboard.xmpp.tcp;

import dev.switchboard.security.UserStore;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A desktop client over TCP (Smack) with security on — SCRAM-SHA-1 against a {@code {scram-…}}
 * entry — in the same room as a JSON chat member: one room, one message stream, both ways.
 * No keystore here, so the stream is plain TCP (and the JSON member's WebSocket plain HTTP).
 */
class XmppTcpWithSecurityAndJsonChatTest {

    static {
        // as in XmppTcpClientsTest: Smack gets the JDK's StAX, not Aalto
        System.setProperty("javax.xml.stream.XMLInputFactory", "com.sun.xml.internal.stream.XMLInputFactoryImpl");
    }

    private static RunningServer server;
    private static int xmppPort;

    @BeforeAll
    static void startServer() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        server = RunningServer.start(Map.of("xmpp.tcp-port", Integer.toString(port), "security", "on",
                "security.users", "alice:" + UserStore.allMechanisms("alice-pw") + ":user,bob:{noop}bob-pw:user"));
        xmppPort = server.server().xmppTcpPort();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static XMPPTCPConnection smack(String name, String password) throws Exception {
        XMPPTCPConnection connection = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain("localhost").setHostAddress(InetAddress.getLoopbackAddress()).setPort(xmppPort)
                .setUsernameAndPassword(name, password).setResource("desk")
                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled).build());
        connection.connect();
        try {
            connection.login();
        } catch (XMPPException | SmackException | RuntimeException e) {
            connection.disconnect();
            throw e;
        }
        return connection;
    }

    @Test
    void smackLogsInWithScramAndAWrongPasswordIsRefused() throws Exception {
        XMPPTCPConnection alice = smack("alice", "alice-pw");
        try {
            assertEquals("SCRAM-SHA-1", alice.getUsedSaslMechansism());
            assertEquals("alice@localhost/desk", alice.getUser().toString());
        } finally {
            alice.disconnect();
        }
        SASLErrorException refused = assertThrows(SASLErrorException.class, () -> smack("alice", "wrong"));
        assertTrue(refused.getMessage().contains("not-authorized"), refused.getMessage());
    }

    @Test
    void aSmackOccupantAndAJsonMemberShareARoom() throws Exception {
        XMPPTCPConnection bob = smack("bob", "bob-pw");
        try (WsClient json = WsClient.connect(server.ws("chat/desk"), Map.of("Authorization",
                "Basic " + java.util.Base64.getEncoder().encodeToString("alice:alice-pw".getBytes())))) {
            json.sendText("{\"type\":\"join\",\"nick\":\"alice\"}");
            assertTrue(json.nextText().contains("\"type\":\"welcome\""));
            BlockingQueue<Message> inRoom = new LinkedBlockingQueue<>();
            MultiUserChat room = MultiUserChatManager.getInstanceFor(bob)
                    .getMultiUserChat(JidCreate.entityBareFrom("desk@conference.localhost"));
            room.addMessageListener(inRoom::add);
            room.join(Resourcepart.from("bob"));
            JsonObject arrived = next(json, "presence");
            assertEquals("bob", arrived.getString("nick"));

            room.sendMessage("hello from a desktop client");
            JsonObject said = next(json, "message");
            assertEquals("hello from a desktop client", said.getString("text"));
            assertEquals("bob", said.getString("from"));

            json.sendText("{\"type\":\"message\",\"text\":\"hello from the browser\"}");
            Message fromJson;
            do {
                fromJson = inRoom.poll(10, TimeUnit.SECONDS);
                assertNotNull(fromJson, "the JSON member's message reaches the Smack occupant");
            } while (!"hello from the browser".equals(fromJson.getBody()));
            assertEquals("desk@conference.localhost/alice", fromJson.getFrom().toString());
        } finally {
            bob.disconnect();
        }
    }

    private static JsonObject next(WsClient client, String type) throws InterruptedException {
        while (true) {
            JsonObject message = Json.createReader(new StringReader(client.nextText())).readObject();
            if (message.getString("type").equals(type)) {
                return message;
            }
        }
    }
}
