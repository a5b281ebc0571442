package dev.switchboard.xmpp;

/**
 * A stanza serialised once for many recipients, with its {@code to} left open: each recipient's
 * copy is the head, that recipient's {@code to} attribute, and the tail — two string copies, not a
 * new serialisation per recipient.
 */
public record AddressedStanza(String head, String tail) {

    /** Splits a serialised stanza after its start tag's attributes (the first {@code >} — values are escaped). */
    public static AddressedStanza of(XmlElement stanza) {
        String xml = XmppWriter.write(stanza);
        int end = xml.indexOf('>');
        if (xml.charAt(end - 1) == '/') {
            end--;
        }
        return new AddressedStanza(xml.substring(0, end), xml.substring(end));
    }

    /** The attribute text for a recipient, made once per session: {@code  to="alice@example.org/web"}. */
    public static String toAttribute(Jid recipient) {
        StringBuilder out = new StringBuilder(48).append(" to=\"");
        XmppWriter.escape(recipient.toString(), true, out);
        return out.append('"').toString();
    }

    public String to(String toAttribute) {
        return head + toAttribute + tail;
    }
}
