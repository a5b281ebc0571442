package dev.switchboard.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reconnect storm's accounting, without a server: what a member got against what was sent. */
class RecoveryCheckTest {

    @Test
    void everyMessageOnceIsNothingMissedDuplicatedOrLost() {
        // before the drop 1–3, then the welcome's history 4–5 and live 6, out of order across the two connections
        assertEquals(new RecoveryCheck(0, 0, 0), RecoveryCheck.of(6, new long[] {1, 2, 3, 5, 4, 6}));
    }

    @Test
    void aGapIsMissedARepeatIsDuplicatedAndTheTailNotYetDeliveredIsLost() {
        // a failed recovery's usual last messages: 2–3 again, 4 never, then 5–6 live
        assertEquals(new RecoveryCheck(1, 2, 0), RecoveryCheck.of(6, new long[] {1, 2, 3, 2, 3, 5, 6}));
        // 1 never came, 2 four times, 3 not yet
        assertEquals(new RecoveryCheck(1, 3, 1), RecoveryCheck.of(3, new long[] {2, 2, 2, 2}));
        // a member still behind: 4–6 in flight when the run ended
        assertEquals(new RecoveryCheck(0, 0, 3), RecoveryCheck.of(6, new long[] {1, 2, 3}));
    }

    @Test
    void nothingReceivedIsAllLostAndOthersSequencesAreLeftOut() {
        assertEquals(new RecoveryCheck(0, 0, 5), RecoveryCheck.of(5, new long[0]));
        assertEquals(new RecoveryCheck(0, 0, 0), RecoveryCheck.of(2, new long[] {0, 1, 2, 3, -1}));
        assertEquals(new RecoveryCheck(0, 0, 0), RecoveryCheck.of(0, new long[0]));
    }

    @Test
    void membersAddUp() {
        assertEquals(new RecoveryCheck(3, 4, 5),
                new RecoveryCheck(1, 0, 5).plus(new RecoveryCheck(2, 4, 0)).plus(RecoveryCheck.NONE));
    }

    @Test
    void sequenceAndOffsetAreReadFromARoomMessage() {
        String marker = "\"text\":\"storm abc ";
        String message = "{\"type\":\"message\",\"id\":\"m7\",\"room\":\"storm\",\"from\":\"p\","
                + "\"text\":\"storm abc 42\",\"ts\":1700000000000,\"offset\":1234}";
        assertEquals(42, LoadClient.sequence(message, marker));
        assertEquals(1234, LoadClient.offset(message));
        assertEquals(-1, LoadClient.sequence(message.replace("abc", "xyz"), marker)); // another run's message
        assertEquals(0, LoadClient.offset("{\"type\":\"message\",\"text\":\"storm abc 1\"}")); // a server without offsets
    }
}
