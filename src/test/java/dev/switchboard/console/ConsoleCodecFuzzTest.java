package dev.switchboard.console;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.connection.Utf8;

/**
 * Coverage-guided fuzzing of the console's JSON decoder: a command or a {@link ConsoleException},
 * nothing else, and no accepted command carries a string without a UTF-8 form.
 */
class ConsoleCodecFuzzTest {

    @FuzzTest(maxDuration = "10s")
    @DictionaryFile(resourcePath = "/fuzz/json.dict")
    void decoderOnlyEverRefusesWithAContractError(FuzzedDataProvider data) {
        try {
            ConsoleCommand command = ConsoleCodec.decode(data.consumeRemainingAsString());
            if (!Utf8.isWellFormed(command.toString())) {
                throw new IllegalStateException("an unpaired surrogate was accepted: " + command);
            }
        } catch (ConsoleException expected) {
            // bad-request: the defined answer
        }
    }
}
