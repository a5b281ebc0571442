package dev.switchboard.chat;

import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;

/**
 * The chat's Jakarta {@link Decoder} over {@link ChatCodec}. The chat endpoint calls it itself,
 * after the connection's size and rate checks, so a decode failure is one well-defined error reply.
 */
public final class ChatDecoder implements Decoder.Text<ChatCommand> {

    private final ChatCodec codec;

    public ChatDecoder(ChatCodec codec) {
        this.codec = codec;
    }

    @Override
    public ChatCommand decode(String text) throws ChatDecodeException {
        try {
            return codec.decode(text);
        } catch (ChatException e) {
            throw new ChatDecodeException(text, e);
        }
    }

    @Override
    public boolean willDecode(String text) {
        return text != null;
    }

    /** A {@link DecodeException} that keeps the contract's error code. */
    public static final class ChatDecodeException extends DecodeException {
        private final ChatException refusal;

        ChatDecodeException(String text, ChatException refusal) {
            super(text, refusal.detail());
            this.refusal = refusal;
        }

        public ChatException refusal() {
            return refusal;
        }
    }
}
