package dev.switchboard.ops;

/** This node in its cluster, as {@code health} reports it: the grid's members now and this node's id. */
public record ClusterStatus(int members, String node) {
}
