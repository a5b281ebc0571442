package dev.switchboard.images;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Recognises an image by its leading bytes, never by what the sender claims. Each format must show
 * its signature and the header right after it, so a bare signature with nothing behind it (or a
 * truncated header) is not an image:
 * <ul>
 *   <li>PNG: the 8-byte signature, then a complete IHDR chunk header — length 13, type {@code IHDR},
 *       width and height above zero (33 bytes at least; PNG requires IHDR first);</li>
 *   <li>JPEG: SOI {@code FF D8}, then a marker {@code FF xx} with {@code xx} a real marker
 *       ({@code C0}–{@code FE}), 4 bytes at least;</li>
 *   <li>GIF: {@code GIF87a} or {@code GIF89a} and the 7-byte logical screen descriptor with a
 *       non-zero width and height (13 bytes at least);</li>
 *   <li>WebP: {@code RIFF}, a size, {@code WEBP}, then a {@code VP8 }, {@code VP8L} or {@code VP8X}
 *       chunk (16 bytes at least).</li>
 * </ul>
 * Bytes after the header are not inspected: the browser decodes them in its own sandbox.
 */
public final class ImageSniffer {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    private ImageSniffer() {
    }

    public static Optional<ImageType> sniff(ByteBuffer data) {
        ByteBuffer b = data.slice();
        if (isPng(b)) {
            return Optional.of(ImageType.PNG);
        }
        if (isJpeg(b)) {
            return Optional.of(ImageType.JPEG);
        }
        if (isGif(b)) {
            return Optional.of(ImageType.GIF);
        }
        if (isWebp(b)) {
            return Optional.of(ImageType.WEBP);
        }
        return Optional.empty();
    }

    public static Optional<ImageType> sniff(byte[] data) {
        return sniff(ByteBuffer.wrap(data));
    }

    private static boolean isPng(ByteBuffer b) {
        if (b.remaining() < 33 || !startsWith(b, 0, PNG_SIGNATURE)) {
            return false;
        }
        return b.getInt(8) == 13 && ascii(b, 12, "IHDR") && b.getInt(16) > 0 && b.getInt(20) > 0;
    }

    private static boolean isJpeg(ByteBuffer b) {
        if (b.remaining() < 4) {
            return false;
        }
        int marker = b.get(3) & 0xff;
        return (b.get(0) & 0xff) == 0xFF && (b.get(1) & 0xff) == 0xD8 && (b.get(2) & 0xff) == 0xFF
                && marker >= 0xC0 && marker <= 0xFE;
    }

    private static boolean isGif(ByteBuffer b) {
        if (b.remaining() < 13 || !(ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a"))) {
            return false;
        }
        int width = (b.get(6) & 0xff) | (b.get(7) & 0xff) << 8;
        int height = (b.get(8) & 0xff) | (b.get(9) & 0xff) << 8;
        return width > 0 && height > 0;
    }

    private static boolean isWebp(ByteBuffer b) {
        return b.remaining() >= 16 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")
                && (ascii(b, 12, "VP8 ") || ascii(b, 12, "VP8L") || ascii(b, 12, "VP8X"));
    }

    private static boolean startsWith(ByteBuffer b, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b.get(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(ByteBuffer b, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (b.get(at + i) != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
