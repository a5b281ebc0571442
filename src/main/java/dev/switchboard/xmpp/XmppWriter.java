package dev.switchboard.xmpp;

import java.util.HashMap;
import java.util.Map;

/**
 * Element trees and the RFC 7395 framing elements to XML text, one WebSocket message each.
 *
 * <p>Every message is a complete document on its own (RFC 7395 §3.3.3): a top-level element
 * declares its namespace, a child declares one only where it differs. Elements of the stream
 * namespace are written {@code stream:NAME} with {@code xmlns:stream} declared, as clients look
 * them up by that prefix. Text and attribute values are escaped ({@code & < > " '}, and in
 * attributes tab and line breaks, which attribute normalisation would otherwise turn into spaces;
 * CR everywhere, which end-of-line handling would drop); a character XML 1.0 forbids (a control
 * character, a lone surrogate, U+FFFE/U+FFFF) is written as U+FFFD, never as itself.
 */
public final class XmppWriter {

    /**
     * The close element exactly as Strophe.js compares a received message with it
     * ({@code message.data === '<close xmlns="urn:ietf:params:xml:ns:xmpp-framing" />'}, space
     * included), which is also how RFC 7395 §3.6 writes it.
     */
    public static final String CLOSE = "<close xmlns=\"" + XmppNamespaces.FRAMING + "\" />";

    private XmppWriter() {
    }

    public static String write(XmlElement element) {
        StringBuilder out = new StringBuilder(128);
        write(element, "", false, out);
        return out.toString();
    }

    /**
     * The server's {@code <open/>} (RFC 7395 §3.3.2): starts with {@code <open } as Strophe.js
     * checks, {@code xmlns} the framing namespace and {@code version="1.0"} as it requires.
     *
     * @param from the server's domain
     * @param id   the stream id (RFC 6120 §4.7.3), fresh for each stream
     */
    public static String open(String from, String id) {
        StringBuilder out = new StringBuilder(160);
        out.append("<open xmlns=\"").append(XmppNamespaces.FRAMING).append('"');
        attribute(out, "from", from);
        attribute(out, "id", id);
        out.append(" version=\"1.0\" xml:lang=\"en\"/>");
        return out.toString();
    }

    /** {@code <close/>} pointing the client elsewhere (RFC 7395 §3.6.1). */
    public static String close(String seeOtherUri) {
        if (seeOtherUri == null) {
            return CLOSE;
        }
        StringBuilder out = new StringBuilder(96);
        out.append("<close xmlns=\"").append(XmppNamespaces.FRAMING).append('"');
        attribute(out, "see-other-uri", seeOtherUri);
        return out.append(" />").toString();
    }

    /**
     * A stream error (RFC 6120 §4.9, RFC 7395 §3.6): {@code <stream:error>} with its own
     * {@code xmlns:stream}, the condition and, when given, a {@code <text/>}, each child with its
     * own {@code xmlns} (Strophe.js reads each child's {@code xmlns} attribute). {@link #CLOSE}
     * follows it as the next message.
     */
    public static String streamError(StreamErrorCondition condition, String text) {
        XmlElement.Builder error = XmlElement.builder("error", XmppNamespaces.STREAMS)
                .child(XmlElement.empty(condition.elementName(), XmppNamespaces.STREAM_ERRORS));
        if (text != null && !text.isEmpty()) {
            error.child(XmlElement.builder("text", XmppNamespaces.STREAM_ERRORS)
                    .attribute("xml:lang", "en").text(text).build());
        }
        return write(error.build());
    }

    private static void write(XmlElement element, String defaultNamespace, boolean streamPrefixDeclared,
                              StringBuilder out) {
        boolean streamElement = element.namespace().equals(XmppNamespaces.STREAMS);
        out.append('<');
        if (streamElement) {
            out.append("stream:");
        }
        out.append(element.name());
        String childDefault = defaultNamespace;
        boolean childStreamDeclared = streamPrefixDeclared;
        if (streamElement) {
            if (!streamPrefixDeclared) {
                out.append(" xmlns:stream=\"").append(XmppNamespaces.STREAMS).append('"');
                childStreamDeclared = true;
            }
        } else if (!element.namespace().equals(defaultNamespace)) {
            out.append(" xmlns=\"");
            escape(element.namespace(), true, out);
            out.append('"');
            childDefault = element.namespace();
        }
        Map<String, String> prefixes = null;
        for (Map.Entry<String, String> a : element.attributes().entrySet()) {
            String key = a.getKey();
            if (key.startsWith("{")) {
                // An attribute in some other namespace: bound to a prefix of its own on this element.
                int close = key.indexOf('}');
                String namespace = key.substring(1, close);
                if (prefixes == null) {
                    prefixes = new HashMap<>();
                }
                String prefix = prefixes.get(namespace);
                if (prefix == null) {
                    prefix = "ns" + prefixes.size();
                    prefixes.put(namespace, prefix);
                    attribute(out, "xmlns:" + prefix, namespace);
                }
                attribute(out, prefix + ":" + key.substring(close + 1), a.getValue());
            } else {
                attribute(out, key, a.getValue());
            }
        }
        if (element.children().isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        for (XmlNode child : element.children()) {
            if (child instanceof XmlElement e) {
                write(e, childDefault, childStreamDeclared, out);
            } else {
                escape(((XmlText) child).text(), false, out);
            }
        }
        out.append("</");
        if (streamElement) {
            out.append("stream:");
        }
        out.append(element.name()).append('>');
    }

    private static void attribute(StringBuilder out, String name, String value) {
        if (value == null) {
            return;
        }
        out.append(' ').append(name).append("=\"");
        escape(value, true, out);
        out.append('"');
    }

    /** Escapes for text or for a double- or single-quoted attribute value, replacing what XML 1.0 forbids. */
    static void escape(String s, boolean attribute, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                case '\r' -> out.append("&#xD;");
                case '\n' -> out.append(attribute ? "&#xA;" : "\n");
                case '\t' -> out.append(attribute ? "&#x9;" : "\t");
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        out.append('\uFFFD');
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            out.append(c).append(s.charAt(++i));
                        } else {
                            out.append('\uFFFD');
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
