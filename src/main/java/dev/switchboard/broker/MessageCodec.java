package dev.switchboard.broker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A message's content as the store keeps it (the store's records are the journal's; this is only
 * the payload): a version byte, then destination, id, the headers and the body, each string as its
 * UTF-8 length and bytes, through Java's {@link DataOutputStream}. A cluster's nodes pass messages
 * to each other in it too.
 */
public final class MessageCodec {

    private static final int VERSION = 1;

    private MessageCodec() {
    }

    public static byte[] encode(Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, message.bytes()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writeString(out, message.destination());
            writeString(out, message.id());
            out.writeInt(message.headers().size());
            for (Map.Entry<String, String> header : message.headers()) {
                writeString(out, header.getKey());
                writeString(out, header.getValue());
            }
            out.writeInt(message.body().length);
            out.write(message.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** The message stored as {@code content}; an unreadable one is an IOException (the caller skips it, logged). */
    public static Message decode(byte[] content) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(content));
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("unknown message encoding " + version);
        }
        String destination = readString(in);
        String id = readString(in);
        int count = in.readInt();
        if (count < 0 || count > content.length) {
            throw new IOException("bad header count " + count);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            headers.add(Map.entry(readString(in), readString(in)));
        }
        int length = in.readInt();
        if (length < 0 || length > content.length) {
            throw new IOException("bad body length " + length);
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("body cut short");
        }
        return new Message(destination, id, headers, body, true);
    }

    /** A string as its UTF-8 length and bytes (writeUTF stops at 64 KiB, which a header value may pass). */
    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("bad string length " + length);
        }
        return new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
    }
}
