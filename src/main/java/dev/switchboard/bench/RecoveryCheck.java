package dev.switchboard.bench;

import java.util.BitSet;

/**
 * What reconnected members received against what the publisher sent, as counts: a sequence the
 * publisher sent that a member never got is missed, each extra copy of one it got is a duplicate.
 * A pure function, so the storm's accounting is tested without a server.
 */
record RecoveryCheck(long missed, long duplicated) {

    static final RecoveryCheck NONE = new RecoveryCheck(0, 0);

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
        return new RecoveryCheck(sent - seen.cardinality(), duplicated);
    }

    RecoveryCheck plus(RecoveryCheck other) {
        return new RecoveryCheck(missed + other.missed, duplicated + other.duplicated);
    }
}
