package dev.switchboard.bus;

/**
 * An event in its channel's order. {@code offset} is the channel's count of retained events (this
 * one's own for a retained event, the latest before it otherwise); {@code seq} counts every event
 * and is what receivers merge on. Both belong to {@code epoch}, which changes only when the log is lost.
 */
public record Sequenced(String channel, String epoch, long offset, long seq, ChannelEvent event) {
}
