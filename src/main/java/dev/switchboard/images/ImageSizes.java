package dev.switchboard.images;

import java.util.Locale;

/**
 * Sizes as a person reads them in a refusal: "8.5 MiB; the limit is 8 MiB", not byte counts — and
 * exact bytes only when rounding would make an image just over the limit read as the limit itself.
 */
public final class ImageSizes {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private ImageSizes() {
    }

    /** {@code bytes} in B, KiB or MiB with at most one decimal ("8 MiB", "8.5 MiB", "300 B"). */
    public static String human(long bytes) {
        if (bytes < KIB) {
            return bytes + " B";
        }
        return bytes < MIB ? oneDecimal(bytes / (double) KIB) + " KiB" : oneDecimal(bytes / (double) MIB) + " MiB";
    }

    /** The detail of a too-large refusal: the image's size and the limit. */
    public static String tooLarge(long size, long limit) {
        String image = human(size);
        String max = human(limit);
        if (image.equals(max)) {
            return String.format(Locale.ROOT, "%,d bytes; the limit is %,d bytes", size, limit);
        }
        return image + "; the limit is " + max;
    }

    private static String oneDecimal(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }
}
