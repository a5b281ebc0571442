package dev.switchboard.console;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** Coverage-guided fuzzing of the console's JSON decoder: a command or a {@link ConsoleException}, nothing else. */
class ConsoleCodecFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void decoderOnlyEverRefusesWithAContractError(FuzzedDataProvider data) {
        try {
            ConsoleCodec.decode(data.consumeRemainingAsString());
        } catch (ConsoleException expected) {
            // bad-request: the defined answer
        }
    }
}
