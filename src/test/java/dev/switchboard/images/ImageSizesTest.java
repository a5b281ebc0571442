package dev.switchboard.images;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A refusal says sizes the way a person reads them. */
class ImageSizesTest {

    @Test
    void sizesReadInMebibytesWithOneDecimalAtMost() {
        assertEquals("8.5 MiB; the limit is 8 MiB", ImageSizes.tooLarge(8_912_904, 8 * 1024 * 1024));
        assertEquals("9 MiB; the limit is 8 MiB", ImageSizes.tooLarge(9 * 1024 * 1024, 8 * 1024 * 1024));
        assertEquals("384 KiB; the limit is 256 KiB", ImageSizes.tooLarge(384 * 1024, 256 * 1024));
        assertEquals("900 B", ImageSizes.human(900));
    }

    @Test
    void justOverTheLimitIsSaidInExactBytesRatherThanAsTheLimitItself() {
        assertEquals("262,145 bytes; the limit is 262,144 bytes", ImageSizes.tooLarge(256 * 1024 + 1, 256 * 1024));
    }
}
