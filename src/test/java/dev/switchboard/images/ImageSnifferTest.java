package dev.switchboard.images;

import dev.switchboard.testing.TestImages;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageSnifferTest {

    @Test
    void realFilesOfEachFormatAreRecognised() {
        assertEquals(Optional.of(ImageType.PNG), ImageSniffer.sniff(TestImages.png(4, 3)));
        assertEquals(Optional.of(ImageType.JPEG), ImageSniffer.sniff(TestImages.jpeg(4, 3)));
        assertEquals(Optional.of(ImageType.GIF), ImageSniffer.sniff(TestImages.gif(4, 3)));
        assertEquals(Optional.of(ImageType.WEBP), ImageSniffer.sniff(TestImages.WEBP));
    }

    @Test
    void pngIsRecognisedFromItsSignatureAndIhdrEvenWithGarbageAfter() {
        byte[] png = Arrays.copyOf(TestImages.png(4, 3), 33);
        assertEquals(Optional.of(ImageType.PNG), ImageSniffer.sniff(png));
        byte[] withGarbage = Arrays.copyOf(png, 200);
        Arrays.fill(withGarbage, 33, 200, (byte) 0x5a);
        assertEquals(Optional.of(ImageType.PNG), ImageSniffer.sniff(withGarbage));
    }

    @Test
    void truncatedHeadersAreNotImages() {
        assertTrue(ImageSniffer.sniff(Arrays.copyOf(TestImages.png(4, 3), 32)).isEmpty(), "PNG without a whole IHDR");
        assertTrue(ImageSniffer.sniff(Arrays.copyOf(TestImages.png(4, 3), 8)).isEmpty(), "PNG signature alone");
        assertTrue(ImageSniffer.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}).isEmpty(), "JPEG SOI without marker");
        assertTrue(ImageSniffer.sniff(Arrays.copyOf(TestImages.gif(4, 3), 12)).isEmpty(), "GIF without screen descriptor");
        assertTrue(ImageSniffer.sniff(Arrays.copyOf(TestImages.WEBP, 15)).isEmpty(), "WebP without chunk");
        assertTrue(ImageSniffer.sniff(new byte[0]).isEmpty());
    }

    @Test
    void nearMissesAreNotImages() {
        byte[] png = TestImages.png(4, 3);
        byte[] wrongChunk = png.clone();
        wrongChunk[12] = 'X'; // "XHDR"
        assertTrue(ImageSniffer.sniff(wrongChunk).isEmpty());
        byte[] zeroWidth = png.clone();
        zeroWidth[16] = zeroWidth[17] = zeroWidth[18] = zeroWidth[19] = 0;
        assertTrue(ImageSniffer.sniff(zeroWidth).isEmpty());
        byte[] badLength = png.clone();
        badLength[11] = 14;
        assertTrue(ImageSniffer.sniff(badLength).isEmpty());
        assertTrue(ImageSniffer.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00}).isEmpty(), "JPEG marker 00");
        assertTrue(ImageSniffer.sniff("GIF88a\1\0\1\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1)).isEmpty());
        assertTrue(ImageSniffer.sniff("GIF89a\0\0\1\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1)).isEmpty(), "zero width");
        assertTrue(ImageSniffer.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1)).isEmpty(), "a WAV");
        assertTrue(ImageSniffer.sniff("RIFF\0\0\0\0WEBPABCD".getBytes(StandardCharsets.ISO_8859_1)).isEmpty());
        assertTrue(ImageSniffer.sniff("<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8)).isEmpty(),
                "SVG (script-capable) is not accepted");
        assertTrue(ImageSniffer.sniff("%PDF-1.7 not an image at all".getBytes(StandardCharsets.UTF_8)).isEmpty());
    }

    @Test
    void sniffingLooksAtTheBuffersRemainingBytesWithoutMovingIt() {
        byte[] png = TestImages.png(2, 2);
        ByteBuffer buffer = ByteBuffer.allocate(png.length + 5);
        buffer.put(new byte[5]).put(png).flip();
        buffer.position(5);
        assertEquals(Optional.of(ImageType.PNG), ImageSniffer.sniff(buffer));
        assertEquals(5, buffer.position());
    }

    @Test
    void decoderCopiesTheBytesAndRefusesNonImages() throws Exception {
        byte[] gif = TestImages.gif(3, 3);
        ImageDecoder.Image image = new ImageDecoder().decode(ByteBuffer.wrap(gif));
        assertEquals(ImageType.GIF, image.type());
        assertTrue(Arrays.equals(gif, image.bytes()));
        assertThrows(jakarta.websocket.DecodeException.class, () -> new ImageDecoder().decode(ByteBuffer.wrap(new byte[40])));
    }
}
