package dev.switchboard.bench;

import java.util.BitSet;

/**
 * What reconnected members received against what the publisher sent, as counts. A sequence the
 * member never got although a later one arrived is missed (a gap: it will never come); each extra
 * copy of one it got is a duplicate; the sequences after the last one it got are lost (still in
 * flight when the run ended: a backlog, like the other scenarios' "lost"). A pure function, so the
 * storm's accounting is tested without a server.
 */
record RecoveryCheck(long missed, long duplicated, long lost) {

    static final RecoveryCheck NONE = new RecoveryCheck(0, 0, 0);

    /**
     * One member that was in the room from the first message on: the publisher sent sequences
     * {@code 1..sent}, the member got {@code received} (over both its connections, any order).
     * A sequence outside {@code 1..sent} is not the publisher's and is left out.
     */
    static RecoveryCheck of(long sent, long[] received) {
        BitSet seen = new BitSet();
        long duplicated = 0;
        for (long seq : received) {
            if (seq < 1 || seq > sent) {
                continue;
            }
            if (seen.get((int) seq)) {
                duplicated++;
            } else {
                seen.set((int) seq);
            }
        }
        long highest = seen.length() - 1; // 0 when nothing arrived
        long lost = sent - Math.max(0, highest);
        return new RecoveryCheck(Math.max(0, highest) - seen.cardinality(), duplicated, lost);
    }

    RecoveryCheck plus(RecoveryCheck other) {
        return new RecoveryCheck(missed + other.missed, duplicated + other.duplicated, lost + other.lost);
    }
}
