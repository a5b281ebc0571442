package dev.switchboard.overhead;

import dev.switchboard.testing.Await;
import dev.switchboard.testing.RawWebSocket;
import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code overhead/poll}, {@code overhead/ticker} and {@code overhead/stats} over real connections
 * to the standalone server, with the server's byte counts checked against what a raw socket saw.
 * A fresh server per test, so counts and client numbers start from nothing.
 */
class OverheadEndpointTest {

    private RunningServer server;

    @BeforeEach
    void start() {
        server = RunningServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TickerFeed feed() {
        return server.server().application().tickerFeed();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** One poll on its own socket: the exact request and response bytes, as sent and as received. */
    private record RawPoll(String request, String responseHead, byte[] body) {
    }

    private RawPoll rawPoll(String client) throws IOException {
        String request = "GET /overhead/poll?client=" + client + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + server.port() + "\r\n"
                + "User-Agent: overhead-test/1.0\r\n"
                + "Accept: application/json\r\n"
                + "Accept-Language: en\r\n"
                + "\r\n";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String head = RawWebSocket.readHead(in);
            int length = -1;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            assertTrue(length >= 0, "the poll answer has a Content-Length: " + head);
            byte[] body = new byte[length];
            in.readFully(body);
            return new RawPoll(request, head, body);
        }
    }

    @Test
    void pollAnswersTheLatestQuoteAsJson() throws Exception {
        HttpResponse<String> response = server.get("overhead/poll");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        JsonObject quote = json(response.body());
        assertEquals("quote", quote.getString("type"));
        assertEquals(PriceTicker.DEMO_SYMBOLS.size(), quote.getJsonArray("prices").size());
        assertEquals("SWB", quote.getJsonArray("prices").getJsonObject(0).getString("symbol"));
        assertEquals(feed().latest().text(), response.body(), "a poll answers the quote the socket pushes, byte for byte");
    }

    @Test
    void countedPollHeadsAreTheBytesThatCrossedTheSocket() throws Exception {
        WireBytes.Totals before = feed().polling().totals();
        RawPoll poll = rawPoll("raw-1");
        WireBytes.Totals after = feed().polling().totals();

        assertTrue(poll.responseHead().startsWith("HTTP/1.1 200 OK\r\n"), poll.responseHead());
        assertEquals(1, after.updates() - before.updates());
        assertEquals(poll.request().length(), after.requestHeaderBytes() - before.requestHeaderBytes(),
                "request head counted as sent");
        assertEquals(poll.responseHead().length(), after.responseHeaderBytes() - before.responseHeaderBytes(),
                "response head counted as received:\n" + poll.responseHead());
        assertEquals(poll.body().length, after.payloadBytes() - before.payloadBytes());
        assertEquals(0, after.frameHeaderBytes());
        assertEquals("quote", json(new String(poll.body(), StandardCharsets.UTF_8)).getString("type"));
    }

    @Test
    void tickerPushesQuotesAndCountsTheirFramesAsTheyCrossTheSocket() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect("127.0.0.1", server.port(), "/overhead/ticker")) {
            Await.until("the handshake is counted", () -> feed().pushing().totals().handshakes() == 1);
            WireBytes.Totals counted = feed().pushing().totals();
            assertEquals(raw.handshakeRequest().length(), counted.handshakeRequestBytes(), "handshake request as sent");
            assertEquals(raw.handshakeResponse().length(), counted.handshakeResponseBytes(),
                    "101 response as received:\n" + raw.handshakeResponse());

            List<RawWebSocket.Frame> frames = new ArrayList<>();
            long seq = -1;
            while (frames.size() < 2) {
                RawWebSocket.Frame frame = raw.readFrame();
                assertEquals(RawWebSocket.TEXT, frame.opcode());
                JsonObject quote = json(new String(frame.payload(), StandardCharsets.UTF_8));
                assertEquals("quote", quote.getString("type"));
                assertTrue(quote.getJsonNumber("seq").longValue() > seq, "quotes arrive in order");
                seq = quote.getJsonNumber("seq").longValue();
                frames.add(frame);
            }
            // Each frame read above had its header read too: 2 bytes, plus 2 for a 126–65535 byte payload.
            long payload = frames.stream().mapToLong(f -> f.payload().length).sum();
            long headers = frames.stream().mapToLong(f -> f.payload().length < 126 ? 2 : 4).sum();
            Await.until("both frames are counted", () -> feed().pushing().totals().updates() >= 2);
            WireBytes.Totals after = feed().pushing().totals();
            // the ticker may already have sent a third quote the socket has not read yet
            long extra = after.updates() - 2;
            assertTrue(extra <= 1, "at most one quote in flight");
            if (extra == 0) {
                assertEquals(payload, after.payloadBytes());
                assertEquals(headers, after.frameHeaderBytes());
            } else {
                RawWebSocket.Frame third = raw.readFrame();
                assertEquals(payload + third.payload().length, after.payloadBytes());
                assertEquals(headers + (third.payload().length < 126 ? 2 : 4), after.frameHeaderBytes());
            }
            assertEquals(0, after.requestHeaderBytes() + after.responseHeaderBytes(), "no HTTP heads per update");
        }
    }

    @Test
    void statsReportClientsOfBothTransports() throws Exception {
        rawPoll("page-a");
        rawPoll("page-b");
        rawPoll("page-b");
        try (WsClient one = WsClient.connect(server.ws("overhead/ticker"));
             WsClient two = WsClient.connect(server.ws("overhead/ticker"))) {
            Await.until("two sockets subscribed", () -> feed().webSocketClients() == 2);
            JsonObject stats = json(server.get("overhead/stats").body());
            assertEquals("stats", stats.getString("type"));
            assertEquals(871, stats.getInt("bookHeaderBytesPerPoll"));
            assertEquals(2, stats.getJsonObject("polling").getInt("clients"), "two named pollers");
            assertEquals(3, stats.getJsonObject("polling").getInt("updates"));
            assertEquals(2, stats.getJsonObject("websocket").getInt("clients"));
            assertEquals(2, stats.getJsonObject("websocket").getInt("handshakes"));
            assertTrue(stats.getJsonObject("polling").getJsonObject("perUpdate").getJsonNumber("total").doubleValue()
                    > 200, "a poll costs hundreds of bytes");
        }
        Await.until("closed sockets are no longer clients", () -> feed().webSocketClients() == 0);
    }

    @Test
    void socketThatAsksForStatsGetsThemAfterTicks() throws Exception {
        try (WsClient page = WsClient.connect(server.ws("overhead/ticker?stats"));
             WsClient plain = WsClient.connect(server.ws("overhead/ticker"))) {
            boolean quote = false;
            boolean stats = false;
            while (!quote || !stats) {
                String type = json(page.nextText()).getString("type");
                quote |= type.equals("quote");
                stats |= type.equals("stats");
            }
            assertEquals("quote", json(plain.nextText()).getString("type"));
            assertEquals("quote", json(plain.nextText()).getString("type"), "a plain ticker socket gets quotes only");
        }
    }

    @Test
    void foreignOriginIsRefusedWith403() {
        assertEquals(403, WsClient.refusedStatus(server.ws("overhead/ticker"), "https://evil.example"));
    }
}
