package dev.switchboard.chat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.connection.Utf8;

/**
 * Coverage-guided fuzzing of the chat's JSON decoder: any text decodes to a command or fails with
 * {@link ChatException} (the contract's error reply) — nothing else — and accepted text stays
 * within the limits, with every string it hands on representable in UTF-8 (a lone surrogate once
 * made a room unjoinable).
 */
class ChatCodecFuzzTest {

    private static final ChatCodec CODEC = new ChatCodec(100);

    @FuzzTest(maxDuration = "15s")
    @DictionaryFile(resourcePath = "/fuzz/json.dict")
    void decoderOnlyEverRefusesWithAContractError(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            ChatCommand command = CODEC.decode(text);
            if (command instanceof ChatCommand.Say say && say.text().codePointCount(0, say.text().length()) > 100) {
                throw new IllegalStateException("text over the limit was accepted");
            }
            if (command instanceof ChatCommand.Join join && (join.nick().isEmpty()
                    || join.nick().codePointCount(0, join.nick().length()) > ChatCodec.MAX_NICK)) {
                throw new IllegalStateException("bad nick accepted: " + join.nick());
            }
            if (!Utf8.isWellFormed(command.toString())) {
                throw new IllegalStateException("an unpaired surrogate was accepted: " + command);
            }
        } catch (ChatException expected) {
            // bad-request or too-long: the defined answer
        }
    }
}
