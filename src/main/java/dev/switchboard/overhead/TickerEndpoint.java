package dev.switchboard.overhead;

import dev.switchboard.bus.FanOut;
import dev.switchboard.connection.Broadcast;
import dev.switchboard.connection.Connection;
import dev.switchboard.connection.EndpointContext;
import dev.switchboard.connection.SwitchboardEndpoint;
import dev.switchboard.security.FloodGuard;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code overhead/ticker[?stats]}: every quote of the {@link TickerFeed}, pushed as one text frame
 * each; with {@code ?stats}, the wire counts after every tick too (the demo page's own socket; those
 * messages are measurement, not ticker updates, and are not counted). Counted per quote: the frame
 * header and payload once the container has taken the frame; per connection: its handshake.
 * Messages from clients are not part of the protocol and are ignored.
 */
public final class TickerEndpoint extends SwitchboardEndpoint {

    public static final String PATH = "/overhead/ticker";

    static final String HANDSHAKE_REQUEST_BYTES = "switchboard.overhead.handshakeRequestBytes";
    static final String HANDSHAKE_RESPONSE_BYTES = "switchboard.overhead.handshakeResponseBytes";

    private final FanOut fanOut;
    private final TickerFeed feed;
    private final FloodGuard flood;
    private final List<FanOut.Attachment> subscriptions = new ArrayList<>();
    private boolean disconnected; // guarded by subscriptions: a close may race the subscribing

    public TickerEndpoint(EndpointContext context, FanOut fanOut, TickerFeed feed, FloodGuard flood) {
        super(context);
        this.flood = flood;
        this.fanOut = fanOut;
        this.feed = feed;
    }

    /**
     * Notes the handshake's size as the application sees it: the request head rebuilt from its parsed
     * header fields, and the 101 response's head from the fields Tyrus has set (the standalone server
     * sends exactly those; an application server may add some of its own).
     */
    public static void observeHandshake(HandshakeRequest request, HandshakeResponse response, Map<String, Object> properties) {
        String target = request.getRequestURI().getRawPath()
                + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        properties.put(HANDSHAKE_REQUEST_BYTES, HttpHeadSize.request("GET", target, "HTTP/1.1", fields(request.getHeaders())));
        properties.put(HANDSHAKE_RESPONSE_BYTES,
                HttpHeadSize.response("HTTP/1.1", 101, "Switching Protocols", fields(response.getHeaders())));
    }

    private static List<Map.Entry<String, String>> fields(Map<String, List<String>> headers) {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        headers.forEach((name, values) -> values.forEach(value -> fields.add(new AbstractMap.SimpleEntry<>(name, value))));
        return fields;
    }

    @Override
    protected void onConnect(Connection connection, EndpointConfig config) {
        Map<String, Object> properties = connection.handshake().notes();
        if (properties.get(HANDSHAKE_REQUEST_BYTES) instanceof Long request
                && properties.get(HANDSHAKE_RESPONSE_BYTES) instanceof Long response) {
            feed.pushing().handshake(request, response);
        }
        connection.ignoreMessages(flood);
        String key = "overhead:" + connection.id();
        synchronized (subscriptions) {
            if (disconnected) {
                return;
            }
            subscriptions.add(attach(TickerFeed.QUOTES, quote -> deliverCounted(connection, quote)));
            if (connection.handshake().query().containsKey("stats")) {
                subscriptions.add(attach(TickerFeed.STATS, connection::send));
            }
        }
    }

    /** Live updates from now on: the ticker keeps no history, so there is nothing to send first. */
    private FanOut.Attachment attach(String channel, Consumer<Broadcast.Text> out) {
        FanOut.Attachment attachment = fanOut.attach(channel,
                delivery -> out.accept(((TickerFeed.Update) delivery.event().event()).json()));
        attachment.start();
        return attachment;
    }

    private void deliverCounted(Connection connection, Broadcast.Text quote) {
        connection.send(quote, sent -> {
            if (sent) {
                feed.pushing().frame(quote.bytes());
            }
        });
    }

    @Override
    protected void onDisconnect(Connection connection, CloseReason reason) {
        synchronized (subscriptions) {
            disconnected = true;
            subscriptions.forEach(FanOut.Attachment::close);
            subscriptions.clear();
        }
    }
}
