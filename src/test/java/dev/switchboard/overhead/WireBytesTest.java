package dev.switchboard.overhead;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WireBytesTest {

    @Test
    void nothingCountedMeansZeroPerUpdate() {
        WireBytes.Totals totals = new WireBytes().totals();
        assertEquals(0, totals.updates());
        assertEquals(0.0, totals.totalPerUpdate());
    }

    @Test
    void pollsAddTheirHeadsAndBodies() {
        WireBytes wire = new WireBytes();
        wire.poll(400, 450, 195);
        wire.poll(402, 450, 196);
        WireBytes.Totals totals = wire.totals();
        assertEquals(2, totals.updates());
        assertEquals(802, totals.requestHeaderBytes());
        assertEquals(900, totals.responseHeaderBytes());
        assertEquals(391, totals.payloadBytes());
        assertEquals(401.0, totals.upstreamHeadersPerUpdate());
        assertEquals(450.0, totals.downstreamHeadersPerUpdate());
        assertEquals(195.5, totals.payloadPerUpdate());
        assertEquals(1046.5, totals.totalPerUpdate());
    }

    @Test
    void framesAddTheirHeaderForThePayloadSize() {
        WireBytes wire = new WireBytes();
        wire.frame(100);
        wire.frame(200);
        WireBytes.Totals totals = wire.totals();
        assertEquals(2, totals.updates());
        assertEquals(2 + 4, totals.frameHeaderBytes());
        assertEquals(300, totals.payloadBytes());
        assertEquals(0.0, totals.upstreamHeadersPerUpdate(), "a pushed update costs nothing upstream");
        assertEquals(3.0, totals.downstreamHeadersPerUpdate());
        assertEquals(153.0, totals.totalPerUpdate());
    }

    @Test
    void handshakesAreCountedApartFromUpdates() {
        WireBytes wire = new WireBytes();
        wire.handshake(470, 130);
        wire.frame(10);
        WireBytes.Totals totals = wire.totals();
        assertEquals(1, totals.handshakes());
        assertEquals(470, totals.handshakeRequestBytes());
        assertEquals(130, totals.handshakeResponseBytes());
        assertEquals(12.0, totals.totalPerUpdate());
    }

    @Test
    void serverFrameHeaderGrowsAtTheLengthBoundariesOfRfc6455() {
        assertEquals(2, WireBytes.serverFrameHeaderBytes(0));
        assertEquals(2, WireBytes.serverFrameHeaderBytes(125));
        assertEquals(4, WireBytes.serverFrameHeaderBytes(126));
        assertEquals(4, WireBytes.serverFrameHeaderBytes(65_535));
        assertEquals(10, WireBytes.serverFrameHeaderBytes(65_536));
    }
}
