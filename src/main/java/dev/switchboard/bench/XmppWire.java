package dev.switchboard.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The few XMPP-over-WebSocket frames (RFC 7395) the load tool sends, and the string look-ups it
 * does on what it receives. No XML parser: the tool only needs a root element's name, an
 * attribute, a body or a status code, and parsing every one of a million deliveries would make
 * the client, not the server, the bottleneck. Stanzas name {@code jabber:client} themselves, as RFC 7395
 * requires (each frame is a document of its own; Prosody refuses an {@code iq} without it). Servers differ in quoting (Prosody writes
 * {@code '}, others {@code "}), so every look-up accepts both.
 */
final class XmppWire {

    static final String FRAMING = "urn:ietf:params:xml:ns:xmpp-framing";
    static final String MUC = "http://jabber.org/protocol/muc";

    private XmppWire() {
    }

    static String open(String domain) {
        return "<open xmlns=\"" + FRAMING + "\" to=\"" + escape(domain) + "\" version=\"1.0\"/>";
    }

    static String close() {
        return "<close xmlns=\"" + FRAMING + "\"/>";
    }

    /** SASL PLAIN (RFC 4616): no authorization identity, then the name and the password. */
    static String authPlain(String user, String password) {
        String response = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">" + response + "</auth>";
    }

    static String authAnonymous() {
        return "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"ANONYMOUS\"/>";
    }

    static String bind(String id) {
        return "<iq xmlns=\"jabber:client\" type=\"set\" id=\"" + id + "\"><bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq>";
    }

    static String session(String id) {
        return "<iq xmlns=\"jabber:client\" type=\"set\" id=\"" + id + "\"><session xmlns=\"urn:ietf:params:xml:ns:xmpp-session\"/></iq>";
    }

    static String presence() {
        return "<presence xmlns=\"jabber:client\"/>";
    }

    /** Joins {@code room} (a bare room JID) as {@code nick}, asking for no history. */
    static String join(String room, String nick) {
        return "<presence xmlns=\"jabber:client\" to=\"" + escape(room + "/" + nick) + "\"><x xmlns=\"" + MUC
                + "\"><history maxstanzas=\"0\"/></x></presence>";
    }

    static String groupchat(String room, String body) {
        return "<message xmlns=\"jabber:client\" type=\"groupchat\" to=\"" + escape(room) + "\"><body>" + escape(body) + "</body></message>";
    }

    static String chat(String to, String body) {
        return "<message xmlns=\"jabber:client\" type=\"chat\" to=\"" + escape(to) + "\"><body>" + escape(body) + "</body></message>";
    }

    /** The root element's qualified name as written ({@code stream:features}, {@code message}), or "" for no element. */
    static String rootName(String frame) {
        int start = frame.indexOf('<');
        while (start >= 0 && start + 1 < frame.length() && (frame.charAt(start + 1) == '?' || frame.charAt(start + 1) == '!')) {
            start = frame.indexOf('<', start + 1);
        }
        if (start < 0) {
            return "";
        }
        int end = start + 1;
        while (end < frame.length() && " \t\r\n/>".indexOf(frame.charAt(end)) < 0) {
            end++;
        }
        return frame.substring(start + 1, end);
    }

    /** The root element's local name ({@code features} for {@code stream:features}). */
    static String localName(String frame) {
        String name = rootName(frame);
        return name.substring(name.indexOf(':') + 1);
    }

    /**
     * The value of attribute {@code name} on the root element's start tag (unescaped), or null.
     * Only the start tag is searched, so a child's attribute of the same name is not taken.
     */
    static String attribute(String frame, String name) {
        int tagStart = frame.indexOf('<' + rootName(frame));
        if (tagStart < 0) {
            return null;
        }
        int tagEnd = frame.indexOf('>', tagStart);
        if (tagEnd < 0) {
            tagEnd = frame.length();
        }
        int from = tagStart;
        while (true) {
            int at = frame.indexOf(name, from);
            if (at < 0 || at >= tagEnd) {
                return null;
            }
            int eq = at + name.length();
            char before = frame.charAt(at - 1);
            if ((before == ' ' || before == '\t' || before == '\n' || before == '\r')
                    && eq + 1 < tagEnd && frame.charAt(eq) == '=') {
                char quote = frame.charAt(eq + 1);
                int close = frame.indexOf(quote, eq + 2);
                if ((quote == '"' || quote == '\'') && close > 0) {
                    return unescape(frame.substring(eq + 2, close));
                }
            }
            from = at + name.length();
        }
    }

    /** The text of the first {@code <body>} (unescaped), or null when there is none. */
    static String body(String stanza) {
        int at = stanza.indexOf("<body");
        while (at >= 0) {
            char after = stanza.charAt(at + 5);
            if (after == '>' || after == ' ' || after == '/') {
                break;
            }
            at = stanza.indexOf("<body", at + 5);
        }
        if (at < 0) {
            return null;
        }
        int open = stanza.indexOf('>', at);
        if (stanza.charAt(open - 1) == '/') {
            return "";
        }
        int close = stanza.indexOf("</body>", open);
        return close < 0 ? null : unescape(stanza.substring(open + 1, close));
    }

    /** Whether the features offer SASL mechanism {@code name}. */
    static boolean offersMechanism(String features, String name) {
        return features.contains("<mechanism>" + name + "</mechanism>");
    }

    /** Whether the features offer resource binding (the stream after SASL). */
    static boolean offersBind(String features) {
        return features.contains("urn:ietf:params:xml:ns:xmpp-bind");
    }

    /** Whether the features ask for the RFC 3921 session IQ (offered and not marked {@code <optional/>}). */
    static boolean needsSession(String features) {
        int at = features.indexOf("urn:ietf:params:xml:ns:xmpp-session");
        if (at < 0) {
            return false;
        }
        int end = features.indexOf("</session>", at);
        return end < 0 || !features.substring(at, end).contains("optional");
    }

    /** The JID inside a bind result's {@code <jid>}, or null. */
    static String boundJid(String iq) {
        int at = iq.indexOf("<jid>");
        int end = iq.indexOf("</jid>");
        return at < 0 || end < at ? null : unescape(iq.substring(at + 5, end));
    }

    /** Whether a MUC presence carries status code {@code code} (110: it is the receiver's own). */
    static boolean hasStatus(String presence, int code) {
        return presence.contains("code=\"" + code + "\"") || presence.contains("code='" + code + "'");
    }

    /** The bare part of a JID ({@code room@service} of {@code room@service/nick}). */
    static String bare(String jid) {
        int slash = jid.indexOf('/');
        return slash < 0 ? jid : jid.substring(0, slash);
    }

    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            String replacement = switch (text.charAt(i)) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&apos;";
                default -> null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(text.charAt(i));
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** The five predefined entities and numeric references; anything else is left as it is. */
    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int semi = c == '&' ? text.indexOf(';', i) : -1;
            if (semi < 0) {
                out.append(c);
                continue;
            }
            String entity = text.substring(i + 1, semi);
            String replacement = switch (entity) {
                case "amp" -> "&";
                case "lt" -> "<";
                case "gt" -> ">";
                case "quot" -> "\"";
                case "apos" -> "'";
                default -> numeric(entity);
            };
            if (replacement == null) {
                out.append(c);
            } else {
                out.append(replacement);
                i = semi;
            }
        }
        return out.toString();
    }

    private static String numeric(String entity) {
        try {
            if (entity.startsWith("#x")) {
                return Character.toString(Integer.parseInt(entity.substring(2), 16));
            } else if (entity.startsWith("#")) {
                return Character.toString(Integer.parseInt(entity.substring(1)));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
