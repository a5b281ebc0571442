package dev.switchboard.console;

import dev.switchboard.bus.ChannelEvent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The console's events that cross nodes come back from their bytes as they were; the rest never leave. */
class ConsoleEventCodecTest {

    private final ConsoleEventCodec codec = new ConsoleEventCodec();

    private ChannelEvent roundTrip(ChannelEvent event) {
        var encoded = codec.encode(event);
        assertNull(encoded.body(), "nothing beside the log");
        return codec.decode(encoded.head(), null);
    }

    @Test
    void evalsTargetsAndAnswersRoundTrip() {
        for (ChannelEvent event : List.of(
                new ConsoleHub.EvalRequest("e1.abc", "document.title + 'é\u0000'", Set.of("t1", "t2")),
                new ConsoleHub.EvalRequest("e2.abc", "", Set.of()),
                new ConsoleHub.TargetCame("t1"),
                new ConsoleHub.TargetWent("t2"),
                new ConsoleHub.Reply("e1.abc", "t1", "42", null),
                new ConsoleHub.Reply("e1.abc", "t2", null, "ReferenceError: x is not defined"),
                new ConsoleHub.Reply("e1.abc", "t2", "", null))) {
            assertEquals(event, roundTrip(event));
        }
    }

    @Test
    void whatOperatorsGetStaysOnItsNode() {
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new ConsoleHub.Pending("op", "q", 1)));
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new ConsoleHub.TargetsChanged(List.of())));
    }

    @Test
    void truncatedOrUnknownBytesAreRefused() {
        byte[] eval = codec.encode(new ConsoleHub.EvalRequest("e1.abc", "1+1", Set.of("t1"))).head();
        for (int cut = 0; cut < eval.length; cut++) {
            byte[] truncated = Arrays.copyOf(eval, cut);
            assertThrows(IllegalArgumentException.class, () -> codec.decode(truncated, null), "cut at " + cut);
        }
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {99}, null));
    }
}
