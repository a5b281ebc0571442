package dev.switchboard.overhead;

/**
 * The bytes one transport put on the wire for ticker updates, counted by the server: per update
 * the HTTP request and response heads (polling) or the WebSocket frame header (push), and the
 * payload; WebSocket handshakes are counted apart, once per connection. Thread-safe; a snapshot
 * is consistent (every field from the same moment), which a per-update average needs.
 */
public final class WireBytes {

    /** Totals at one moment, and the per-update averages the page shows. */
    public record Totals(long updates, long requestHeaderBytes, long responseHeaderBytes, long frameHeaderBytes,
                         long payloadBytes, long handshakes, long handshakeRequestBytes, long handshakeResponseBytes) {

        /** Header bytes client → server per update (polling: the request head; push: none). */
        public double upstreamHeadersPerUpdate() {
            return perUpdate(requestHeaderBytes);
        }

        /** Header bytes server → client per update (the response head, or the frame header). */
        public double downstreamHeadersPerUpdate() {
            return perUpdate(responseHeaderBytes + frameHeaderBytes);
        }

        public double payloadPerUpdate() {
            return perUpdate(payloadBytes);
        }

        /** Everything one update costs on the wire, both ways (handshakes excluded). */
        public double totalPerUpdate() {
            return perUpdate(requestHeaderBytes + responseHeaderBytes + frameHeaderBytes + payloadBytes);
        }

        private double perUpdate(long bytes) {
            return updates == 0 ? 0 : (double) bytes / updates;
        }
    }

    private long updates;
    private long requestHeaderBytes;
    private long responseHeaderBytes;
    private long frameHeaderBytes;
    private long payloadBytes;
    private long handshakes;
    private long handshakeRequestBytes;
    private long handshakeResponseBytes;

    /** One answered poll: its request head, its response head and the body. */
    public synchronized void poll(long requestHead, long responseHead, long payload) {
        updates++;
        requestHeaderBytes += requestHead;
        responseHeaderBytes += responseHead;
        payloadBytes += payload;
    }

    /** One pushed WebSocket message of {@code payload} bytes, sent as a single frame. */
    public synchronized void frame(long payload) {
        updates++;
        frameHeaderBytes += serverFrameHeaderBytes(payload);
        payloadBytes += payload;
    }

    /** One WebSocket opening handshake: the HTTP upgrade request's head and the 101 response's head. */
    public synchronized void handshake(long requestHead, long responseHead) {
        handshakes++;
        handshakeRequestBytes += requestHead;
        handshakeResponseBytes += responseHead;
    }

    public synchronized Totals totals() {
        return new Totals(updates, requestHeaderBytes, responseHeaderBytes, frameHeaderBytes, payloadBytes, handshakes,
                handshakeRequestBytes, handshakeResponseBytes);
    }

    /**
     * RFC 6455 §5.2: a server frame is unmasked, so its header is 2 bytes, plus 2 for a 16-bit
     * length (126–65535 bytes) or 8 for a 64-bit one. Assumes no extension (Switchboard offers none).
     */
    public static int serverFrameHeaderBytes(long payload) {
        if (payload < 126) {
            return 2;
        }
        return payload <= 0xFFFF ? 4 : 10;
    }
}
