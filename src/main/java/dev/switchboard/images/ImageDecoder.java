package dev.switchboard.images;

import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;

import java.nio.ByteBuffer;

/**
 * Image drop's Jakarta {@link Decoder.Binary} over {@link ImageSniffer}: bytes to a recognised
 * image, or a {@link DecodeException} ({@code not-an-image}). The endpoint calls it after its size
 * and rate checks.
 */
public final class ImageDecoder implements Decoder.Binary<ImageDecoder.Image> {

    /** An accepted upload: its type and its bytes (copied once, then shared by every receiver). */
    public record Image(ImageType type, byte[] bytes) {
    }

    @Override
    public Image decode(ByteBuffer data) throws DecodeException {
        ImageType type = ImageSniffer.sniff(data).orElseThrow(() ->
                new DecodeException(data, "not a PNG, JPEG, GIF or WebP image"));
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return new Image(type, bytes);
    }

    @Override
    public boolean willDecode(ByteBuffer data) {
        return ImageSniffer.sniff(data).isPresent();
    }
}
