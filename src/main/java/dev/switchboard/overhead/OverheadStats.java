package dev.switchboard.overhead;

import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;

/**
 * The stats message, {@code {"type":"stats",…}}: both transports' totals, per-update averages
 * and current clients, with the book's figure alongside for reference.
 */
public final class OverheadStats {

    /** Looked up once: {@code Json.create…} looks the provider up again on every call (a ServiceLoader scan). */
    private static final JsonProvider JSON = JsonProvider.provider();

    /** The book's chapter 1 measurement: HTTP header bytes of one poll (request + response). */
    public static final int BOOK_HEADER_BYTES_PER_POLL = 871;

    private OverheadStats() {
    }

    public static String json(long epochMillis, WireBytes.Totals polling, int pollingClients, WireBytes.Totals websocket,
                              int websocketClients) {
        return JSON.createObjectBuilder().add("type", "stats").add("ts", epochMillis)
                .add("bookHeaderBytesPerPoll", BOOK_HEADER_BYTES_PER_POLL)
                .add("polling", transport(polling, pollingClients))
                .add("websocket", transport(websocket, websocketClients))
                .build().toString();
    }

    private static JsonObjectBuilder transport(WireBytes.Totals totals, int clients) {
        return JSON.createObjectBuilder().add("clients", clients).add("updates", totals.updates())
                .add("requestHeaderBytes", totals.requestHeaderBytes())
                .add("responseHeaderBytes", totals.responseHeaderBytes())
                .add("frameHeaderBytes", totals.frameHeaderBytes())
                .add("payloadBytes", totals.payloadBytes())
                .add("handshakes", totals.handshakes())
                .add("handshakeRequestBytes", totals.handshakeRequestBytes())
                .add("handshakeResponseBytes", totals.handshakeResponseBytes())
                .add("perUpdate", JSON.createObjectBuilder()
                        .add("upstreamHeaders", round(totals.upstreamHeadersPerUpdate()))
                        .add("downstreamHeaders", round(totals.downstreamHeadersPerUpdate()))
                        .add("payload", round(totals.payloadPerUpdate()))
                        .add("total", round(totals.totalPerUpdate())));
    }

    private static double round(double bytes) {
        return Math.round(bytes * 10) / 10.0;
    }
}
