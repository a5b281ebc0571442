package dev.switchboard.chat;

import jakarta.websocket.Encoder;

/**
 * The chat's Jakarta {@link Encoder} over {@link ChatCodec}. Fan-out calls it once per event and
 * sends the same text to every member, never once per receiver.
 */
public final class ChatEncoder implements Encoder.Text<ChatEvent> {

    private final ChatCodec codec;

    public ChatEncoder(ChatCodec codec) {
        this.codec = codec;
    }

    @Override
    public String encode(ChatEvent event) {
        return codec.encode(event);
    }
}
