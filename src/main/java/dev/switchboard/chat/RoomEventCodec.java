package dev.switchboard.chat;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.EventCodec;

/** A room's events as the cluster's grid carries them (see {@link EventCodec}). */
final class RoomEventCodec implements EventCodec {

    private static final int SAID = 1;
    private static final int PRESENCE = 2;
    private static final int TYPING = 3;
    private static final int WHISPERED = 4;

    @Override
    public Encoded encode(ChannelEvent event) {
        EventBytes.Writer out = new EventBytes.Writer();
        if (event instanceof RoomEvent.Said said) {
            out.kind(SAID).string(said.id()).string(said.room()).string(said.from()).string(said.text())
                    .number(said.ts());
        } else if (event instanceof RoomEvent.Notice notice) {
            if (notice.event() instanceof ChatEvent.PresenceChange change) {
                out.kind(PRESENCE).string(change.nick()).string(change.presence().name()).string(change.status());
            } else if (notice.event() instanceof ChatEvent.TypingHint typing) {
                out.kind(TYPING).string(typing.nick());
            } else {
                throw new IllegalArgumentException("a room notice of " + notice.event().getClass());
            }
            out.string(notice.exceptNick());
        } else {
            ChatEvent.PrivateMessage message = ((RoomEvent.Whispered) event).message();
            out.kind(WHISPERED).string(message.id()).string(message.from()).string(message.to())
                    .string(message.text()).number(message.ts());
        }
        return new Encoded(out.bytes(), null);
    }

    @Override
    public ChannelEvent decode(byte[] head, byte[] body) {
        EventBytes.Reader in = new EventBytes.Reader(head);
        int kind = in.kind();
        return switch (kind) {
            case SAID -> new RoomEvent.Said(in.string(), in.string(), in.string(), in.string(), in.number());
            case PRESENCE -> new RoomEvent.Notice(new ChatEvent.PresenceChange(in.string(),
                    Presence.valueOf(in.string()), in.string()), in.string());
            case TYPING -> new RoomEvent.Notice(new ChatEvent.TypingHint(in.string()), in.string());
            case WHISPERED -> new RoomEvent.Whispered(new ChatEvent.PrivateMessage(in.string(), in.string(),
                    in.string(), in.string(), in.number()));
            default -> throw new IllegalArgumentException("not a room event: kind " + kind);
        };
    }
}
