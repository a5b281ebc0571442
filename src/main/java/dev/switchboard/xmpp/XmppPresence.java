package dev.switchboard.xmpp;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.chat.Presence;

/**
 * A user's availability as XMPP says it (RFC 6121 §4.7): {@code show} null (plain available),
 * {@code away}, {@code chat}, {@code dnd} or {@code xa}; a status text; a priority. The event on
 * the presence channel, encoded as a stanza once per change for every session.
 */
public record XmppPresence(Jid from, boolean available, String show, String status, int priority)
        implements ChannelEvent {

    /** Presence is never kept on the channel: who is available now is the service's own state. */
    @Override
    public boolean retained() {
        return false;
    }

    @Override
    public long bytes() {
        return 0;
    }

    /** RFC 6121 §4.7.2.1: the values {@code show} may take. */
    public static boolean isShow(String show) {
        return show.equals("away") || show.equals("chat") || show.equals("dnd") || show.equals("xa");
    }

    /** The JSON chat's presence for an XMPP {@code show} (contract: {@code xa} is away, {@code chat} available). */
    public static Presence chatPresence(String show) {
        if (show == null) {
            return Presence.AVAILABLE;
        }
        return switch (show) {
            case "away", "xa" -> Presence.AWAY;
            case "dnd" -> Presence.DND;
            default -> Presence.AVAILABLE;
        };
    }

    /** The XMPP {@code show} for a JSON chat presence: none for available. */
    public static String show(Presence presence) {
        return switch (presence) {
            case AWAY -> "away";
            case DND -> "dnd";
            default -> null;
        };
    }

    public static XmppPresence unavailable(Jid from, String status) {
        return new XmppPresence(from, false, null, status, 0);
    }

    /** The presence stanza, without {@code to}. */
    public XmlElement stanza() {
        XmlElement.Builder presence = XmlElement.builder("presence", XmppNamespaces.CLIENT)
                .attribute("from", from.toString());
        if (!available) {
            presence.attribute("type", "unavailable");
        }
        if (show != null) {
            presence.textChild("show", XmppNamespaces.CLIENT, show);
        }
        if (status != null && !status.isEmpty()) {
            presence.textChild("status", XmppNamespaces.CLIENT, status);
        }
        if (available && priority != 0) {
            presence.textChild("priority", XmppNamespaces.CLIENT, Integer.toString(priority));
        }
        return presence.build();
    }
}
