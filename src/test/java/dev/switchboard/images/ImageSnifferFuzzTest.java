package dev.switchboard.images;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.ByteBuffer;
import java.util.Optional;

/** Coverage-guided fuzzing of image sniffing: any bytes give a type or none, never an exception. */
class ImageSnifferFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void sniffingNeverThrowsAndOnlyNamesRealSignatures(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        Optional<ImageType> type = ImageSniffer.sniff(ByteBuffer.wrap(bytes));
        if (type.isPresent()) {
            boolean signature = switch (type.get()) {
                case PNG -> bytes.length >= 33 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P';
                case JPEG -> bytes.length >= 4 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8;
                case GIF -> bytes.length >= 13 && bytes[0] == 'G';
                case WEBP -> bytes.length >= 16 && bytes[0] == 'R' && bytes[8] == 'W';
            };
            if (!signature) {
                throw new IllegalStateException(type.get() + " claimed without its signature");
            }
        }
    }
}
