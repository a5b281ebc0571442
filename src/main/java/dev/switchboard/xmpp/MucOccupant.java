package dev.switchboard.xmpp;

import dev.switchboard.bus.Delivery;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.chat.ChatEvent;
import dev.switchboard.chat.ChatMember;
import dev.switchboard.chat.ChatRoom;
import dev.switchboard.chat.Presence;
import dev.switchboard.connection.Broadcast;

import java.time.Instant;
import java.util.function.Function;

/**
 * An XMPP occupant of a chat room (XEP-0045): a member of the room like any JSON member, whose
 * edge turns the room's events into stanzas — once per event for every XMPP occupant of the room,
 * each copy addressed to its occupant.
 */
final class MucOccupant implements ChatMember {

    private static final String FORMAT = "xmpp-muc";

    private final XmppSession session;
    private final String key;
    private final Jid roomJid;
    private final String nick;
    private final Function<Sequenced, AddressedStanza> encoder;
    private ChatRoom room;
    private FanOut.Attachment attachment;

    MucOccupant(XmppSession session, String key, Jid roomJid, String nick) {
        this.session = session;
        this.key = key;
        this.roomJid = roomJid;
        this.nick = nick;
        this.encoder = sequenced -> AddressedStanza.of(stanza(roomJid, ChatRoom.event(sequenced)));
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public void send(Broadcast message) {
        throw new UnsupportedOperationException("an XMPP occupant takes stanzas, not the JSON chat");
    }

    @Override
    public void receive(ChatEvent event, Delivery delivery) {
        if (event instanceof ChatEvent.PresenceChange change && change.nick().equals(nick)) {
            session.send(self(change.presence(), change.status())); // the occupant's own: with status 110
        } else if (event instanceof ChatEvent.PrivateMessage whisper) {
            if (whisper.to().equals(nick) && !whisper.from().equals(nick)) {
                session.send(XmlElement.builder("message", XmppNamespaces.CLIENT)
                        .attribute("from", occupant(roomJid, whisper.from()).toString())
                        .attribute("to", session.jid().toString()).attribute("type", "chat")
                        .attribute("id", whisper.id()).textChild("body", XmppNamespaces.CLIENT, whisper.text())
                        .child(XmlElement.empty("x", XmppNamespaces.MUC_USER)).build());
            }
        } else {
            session.sendAddressed(delivery.encoded(FORMAT, encoder));
        }
    }

    String nick() {
        return nick;
    }

    Jid roomJid() {
        return roomJid;
    }

    ChatRoom room() {
        return room;
    }

    FanOut.Attachment attachment() {
        return attachment;
    }

    void joined(ChatRoom room, FanOut.Attachment attachment) {
        this.room = room;
        this.attachment = attachment;
    }

    /** The occupant's own presence, flagged with status code 110 (XEP-0045 §7.2.2). */
    XmlElement self(Presence presence, String status) {
        XmlElement base = presence(roomJid, nick, presence, status);
        XmlElement.Builder x = XmlElement.builder("x", XmppNamespaces.MUC_USER);
        for (XmlElement child : base.child("x", XmppNamespaces.MUC_USER).elements()) {
            x.child(child);
        }
        x.child(XmlElement.builder("status", XmppNamespaces.MUC_USER).attribute("code", "110").build());
        XmlElement.Builder out = XmlElement.builder("presence", XmppNamespaces.CLIENT);
        base.attributes().forEach(out::attribute);
        out.attribute("to", session.jid().toString());
        for (XmlElement child : base.elements()) {
            out.child(child.is("x", XmppNamespaces.MUC_USER) ? x.build() : child);
        }
        return out.build();
    }

    static Jid occupant(Jid roomJid, String nick) {
        return new Jid(roomJid.local(), roomJid.domain(), nick);
    }

    /** A room event as the stanza every XMPP occupant gets, without {@code to}. */
    static XmlElement stanza(Jid roomJid, ChatEvent event) {
        if (event instanceof ChatEvent.RoomMessage message) {
            return groupchat(roomJid, message, false);
        } else if (event instanceof ChatEvent.PresenceChange change) {
            return presence(roomJid, change.nick(), change.presence(), change.status());
        } else if (event instanceof ChatEvent.TypingHint typing) {
            return XmlElement.builder("message", XmppNamespaces.CLIENT)
                    .attribute("from", occupant(roomJid, typing.nick()).toString()).attribute("type", "groupchat")
                    .child(XmlElement.empty("composing", XmppNamespaces.CHAT_STATES)).build();
        }
        throw new IllegalArgumentException("not a room event for occupants: " + event);
    }

    /**
     * A room message; from history it carries when it was sent (XEP-0203, XEP-0045 §7.2.15). Its
     * room-wide id is the {@code id} and the XEP-0359 stanza-id, the same for every member.
     */
    static XmlElement groupchat(Jid roomJid, ChatEvent.RoomMessage message, boolean delayed) {
        XmlElement.Builder out = XmlElement.builder("message", XmppNamespaces.CLIENT)
                .attribute("from", occupant(roomJid, message.from()).toString()).attribute("type", "groupchat")
                .attribute("id", message.id())
                .textChild("body", XmppNamespaces.CLIENT, message.text())
                .child(XmlElement.builder("stanza-id", XmppNamespaces.STANZA_ID).attribute("id", message.id())
                        .attribute("by", roomJid.toString()).build());
        if (delayed) {
            out.child(XmlElement.builder("delay", XmppNamespaces.DELAY).attribute("from", roomJid.toString())
                    .attribute("stamp", Instant.ofEpochMilli(message.ts()).toString()).build());
        }
        return out.build();
    }

    /** An occupant's presence as the room reports it (XEP-0045 §7.2.3): participant, or gone. */
    static XmlElement presence(Jid roomJid, String nick, Presence presence, String status) {
        XmlElement.Builder out = XmlElement.builder("presence", XmppNamespaces.CLIENT)
                .attribute("from", occupant(roomJid, nick).toString());
        boolean gone = presence == Presence.UNAVAILABLE;
        if (gone) {
            out.attribute("type", "unavailable");
        }
        String show = XmppPresence.show(presence);
        if (show != null) {
            out.textChild("show", XmppNamespaces.CLIENT, show);
        }
        if (status != null && !status.isEmpty()) {
            out.textChild("status", XmppNamespaces.CLIENT, status);
        }
        out.child(XmlElement.builder("x", XmppNamespaces.MUC_USER).child(XmlElement.builder("item", XmppNamespaces.MUC_USER)
                .attribute("affiliation", "none").attribute("role", gone ? "none" : "participant").build()).build());
        return out.build();
    }
}
