package dev.switchboard.stomp;

/**
 * The broker's limits and heart-beat offer.
 *
 * @param heartbeatSendMs    how often the server can send heart-beats (the "sx" of CONNECTED), 0 never
 * @param heartbeatReceiveMs how often the server wants them (the "sy"), 0 never
 */
public record StompSettings(int maxFrameBytes, int maxHeaders, int maxHeaderLineBytes, int queueDepth,
                            int heartbeatSendMs, int heartbeatReceiveMs) {
}
