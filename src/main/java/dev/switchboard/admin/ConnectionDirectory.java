package dev.switchboard.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every open WebSocket of the cluster, a page at a time: this node's and the other nodes'. The
 * listing runs node by node (nodes in id order, each node's connections oldest first), so a page
 * asks each node only for what falls on it — one round of counts, then the slices of the nodes
 * the page covers — and never more than {@code limit} connections cross the grid for one page,
 * whatever the total.
 */
public final class ConnectionDirectory {

    /** How long a listing or a close waits for the other nodes. */
    public static final Duration WAIT = Duration.ofSeconds(3);

    /** A page of the listing; {@code missing} names nodes that did not answer in time. */
    public record Page(List<ConnectionInfo> connections, int total, int offset, int limit,
                       List<OtherNodes.Count> nodes, List<String> missing) {
    }

    private final LocalConnections local;
    private final OtherNodes others;

    public ConnectionDirectory(LocalConnections local, OtherNodes others) {
        this.local = local;
        this.others = others;
        others.serve(local);
    }

    public String node() {
        return local.node();
    }

    public Page page(String rawFilter, int offset, int limit) {
        String filter = LocalConnections.normalise(rawFilter);
        List<OtherNodes.Count> counts = new ArrayList<>();
        counts.add(new OtherNodes.Count(local.node(), local.count(filter)));
        List<String> missing = new ArrayList<>();
        for (OtherNodes.Count count : others.count(filter, WAIT)) {
            if (count.count() < 0) {
                missing.add(count.node());
            } else {
                counts.add(count);
            }
        }
        counts.sort(Comparator.comparing(OtherNodes.Count::node));
        int total = counts.stream().mapToInt(OtherNodes.Count::count).sum();
        List<ConnectionInfo> page = new ArrayList<>();
        int start = 0; // where the current node's block starts in the whole listing
        for (OtherNodes.Count count : counts) {
            int end = start + count.count();
            int from = Math.max(offset + page.size(), start);
            int wanted = limit - page.size();
            if (wanted <= 0) {
                break;
            }
            if (from < end) {
                List<ConnectionInfo> slice = count.node().equals(local.node())
                        ? local.slice(filter, from - start, wanted)
                        : others.slice(count.node(), filter, from - start, wanted, WAIT);
                if (slice == null) {
                    missing.add(count.node());
                } else {
                    page.addAll(slice.subList(0, Math.min(slice.size(), wanted)));
                }
            }
            start = end;
        }
        return new Page(page, total, offset, limit, counts, missing);
    }

    /** Closes {@code id} on whichever node holds it; false when no node does. */
    public boolean close(String id, String by) {
        return local.close(id, by + " on node " + local.node()) || others.close(id, by + " on node " + local.node(), WAIT);
    }
}
