package dev.switchboard.bus;

/** Where a channel is: its epoch, its latest offset and the seq of its latest event. */
public record Position(String epoch, long offset, long seq) {
}
