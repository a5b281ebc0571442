package dev.switchboard.xmpp;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import static dev.switchboard.xmpp.StreamErrorCondition.INVALID_NAMESPACE;
import static dev.switchboard.xmpp.StreamErrorCondition.NOT_WELL_FORMED;
import static dev.switchboard.xmpp.StreamErrorCondition.POLICY_VIOLATION;
import static dev.switchboard.xmpp.StreamErrorCondition.RESTRICTED_XML;

/**
 * One WebSocket text message of the {@code xmpp} subprotocol to one {@link XmppFrame}, or a
 * refusal naming the RFC 6120 §4.9.3 stream error (RFC 7395 §3.3: every message is exactly one
 * complete element).
 *
 * <p>Parsed by the JDK's own StAX, restricted as RFC 6120 §11.1 says: no DTD, no entity other than
 * the five predefined, no processing instruction, no comment. The size is checked before parsing
 * and depth, attributes and children while parsing, so hostile input costs at most one pass over
 * what the size limit lets in. Thread-safe: the factory is configured once and only creates readers.
 */
public final class XmppFraming {

    /** {@code xmpp.max-stanza-bytes}'s default: 256 KiB of UTF-8. */
    public static final int DEFAULT_MAX_STANZA_BYTES = 256 * 1024;
    /** Deepest element nesting accepted (a stanza with a payload is 3–6 deep; XHTML-IM a few more). */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** Attributes plus namespace declarations on one element. */
    public static final int DEFAULT_MAX_ATTRIBUTES = 64;
    /** Child nodes (elements and text runs) of one element. */
    public static final int DEFAULT_MAX_CHILDREN = 1024;

    private static final int MAX_ENTITY_NAME = 256;
    private static final Set<String> PREDEFINED_ENTITIES = Set.of("amp", "lt", "gt", "quot", "apos");

    private final int maxStanzaBytes;
    private final int maxDepth;
    private final int maxAttributes;
    private final int maxChildren;
    private final XMLInputFactory factory;

    public XmppFraming(int maxStanzaBytes) {
        this(maxStanzaBytes, DEFAULT_MAX_DEPTH, DEFAULT_MAX_ATTRIBUTES, DEFAULT_MAX_CHILDREN);
    }

    public XmppFraming(int maxStanzaBytes, int maxDepth, int maxAttributes, int maxChildren) {
        if (maxStanzaBytes < 1 || maxDepth < 1 || maxAttributes < 0 || maxChildren < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxStanzaBytes = maxStanzaBytes;
        this.maxDepth = maxDepth;
        this.maxAttributes = maxAttributes;
        this.maxChildren = maxChildren;
        // The JDK's implementation, not whichever StAX the classpath happens to offer first.
        factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        // Belt and braces: nothing is ever fetched, whatever a future parser does with the DTD flag.
        factory.setXMLResolver((publicId, systemId, base, namespace) -> {
            throw new XMLStreamException("external resources are not resolved");
        });
    }

    public static XmppFraming withDefaults() {
        return new XmppFraming(DEFAULT_MAX_STANZA_BYTES);
    }

    public int maxStanzaBytes() {
        return maxStanzaBytes;
    }

    public XmppFrame decode(String message) throws XmppStreamException {
        checkSizeAndCharacters(message);
        XmlElement root = parse(message);
        if (root.name().equals("open") || root.name().equals("close")) {
            if (!root.namespace().equals(XmppNamespaces.FRAMING)) {
                throw new XmppStreamException(INVALID_NAMESPACE,
                        "<" + root.name() + "/> in namespace '" + root.namespace() + "', not " + XmppNamespaces.FRAMING);
            }
            return root.name().equals("open") ? new XmppFrame.Open(root) : new XmppFrame.Close(root);
        }
        if (root.is("stream", XmppNamespaces.STREAMS)) {
            // RFC 7395 §3.3.2: <stream:stream> is the TCP binding's framing, not this one's.
            throw new XmppStreamException(INVALID_NAMESPACE, "<stream:stream> instead of <open/> (RFC 7395 framing)");
        }
        if (root.namespace().equals(XmppNamespaces.FRAMING)) {
            throw new XmppStreamException(INVALID_NAMESPACE, "<" + root.name() + "/> is no framing element");
        }
        return new XmppFrame.Stanza(root);
    }

    /**
     * UTF-8 size within the limit, and only characters XML 1.0 allows (§2.2): a lone surrogate or a
     * control character is refused here, before the parser, which would let a raw surrogate through.
     */
    private void checkSizeAndCharacters(String message) throws XmppStreamException {
        if (message.length() > maxStanzaBytes) {
            throw tooLarge(message.length());
        }
        long bytes = 0;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x80) {
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    throw new XmppStreamException(NOT_WELL_FORMED, "control character U+" + hex(c) + " at " + i);
                }
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= message.length() || !Character.isLowSurrogate(message.charAt(i + 1))) {
                    throw new XmppStreamException(NOT_WELL_FORMED, "lone surrogate at " + i);
                }
                i++;
                bytes += 4;
            } else if (Character.isLowSurrogate(c)) {
                throw new XmppStreamException(NOT_WELL_FORMED, "lone surrogate at " + i);
            } else if (c == 0xFFFE || c == 0xFFFF) {
                throw new XmppStreamException(NOT_WELL_FORMED, "non-character U+" + hex(c) + " at " + i);
            } else {
                bytes += 3;
            }
        }
        if (bytes > maxStanzaBytes) {
            throw tooLarge(bytes);
        }
    }

    private XmppStreamException tooLarge(long bytes) {
        return new XmppStreamException(POLICY_VIOLATION, "a stanza is at most " + size(maxStanzaBytes)
                + " (this one has " + size(bytes) + " or more)");
    }

    /** What a client is told when a stanza is far over the limit (the transport stops reading it). */
    public static String stanzaLimitText(int maxStanzaBytes) {
        return "a stanza is at most " + size(maxStanzaBytes);
    }

    /** A byte count as people read it: {@code 256 KiB}, {@code 1.5 MiB}, {@code 900 bytes}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double kib = bytes / 1024.0;
        if (kib < 1024) {
            return (kib == Math.floor(kib) ? String.valueOf((long) kib) : String.format(java.util.Locale.ROOT, "%.1f", kib)) + " KiB";
        }
        double mib = kib / 1024;
        return (mib == Math.floor(mib) ? String.valueOf((long) mib) : String.format(java.util.Locale.ROOT, "%.1f", mib)) + " MiB";
    }

    private XmlElement parse(String message) throws XmppStreamException {
        XMLStreamReader reader = null;
        try {
            reader = factory.createXMLStreamReader(new StringReader(message));
            return readDocument(reader);
        } catch (XMLStreamException | RuntimeException e) {
            // The parser reports an undeclared entity (there is no DTD to declare one) as a syntax
            // error; RFC 6120 §11.1 names that restricted XML, so look for one before saying so.
            if (hasUndefinedEntityReference(message)) {
                throw new XmppStreamException(RESTRICTED_XML, "an entity reference other than the predefined five");
            }
            throw new XmppStreamException(NOT_WELL_FORMED, String.valueOf(e.getMessage()));
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (XMLStreamException ignored) {
                    // nothing is held open: the source is a string
                }
            }
        }
    }

    private XmlElement readDocument(XMLStreamReader reader) throws XMLStreamException, XmppStreamException {
        // The builders of the open elements; the root's namespace default (see below) per level.
        Deque<XmlElement.Builder> open = new ArrayDeque<>();
        Deque<int[]> childCounts = new ArrayDeque<>();
        Deque<Boolean> inClientDefault = new ArrayDeque<>();
        XmlElement root = null;
        while (reader.hasNext()) {
            int event = reader.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    if (root != null) {
                        throw new XmppStreamException(NOT_WELL_FORMED, "more than one element in one message");
                    }
                    if (open.size() >= maxDepth) {
                        throw new XmppStreamException(POLICY_VIOLATION, "nested deeper than " + maxDepth);
                    }
                    countChild(childCounts);
                    int declared = reader.getAttributeCount() + reader.getNamespaceCount();
                    if (declared > maxAttributes) {
                        throw new XmppStreamException(POLICY_VIOLATION,
                                declared + " attributes on one element, over " + maxAttributes);
                    }
                    // RFC 7395 §3.3.3 wants stanzas namespaced, but a stanza with no namespace at all
                    // is what it would be inside a jabber:client stream: read it as that.
                    String namespace = reader.getNamespaceURI() == null ? "" : reader.getNamespaceURI();
                    if (namespace.equals(XmppNamespaces.XML) || namespace.equals(XmppNamespaces.XMLNS)) {
                        // Namespaces in XML §3: no element may use the reserved prefixes; routed on, such
                        // an element could not be written as XML at all
                        throw new XmppStreamException(StreamErrorCondition.BAD_NAMESPACE_PREFIX,
                                "an element with the reserved prefix xml or xmlns");
                    }
                    boolean framing = open.isEmpty()
                            && (reader.getLocalName().equals("open") || reader.getLocalName().equals("close"));
                    boolean clientDefault = namespace.isEmpty() && !framing
                            && (open.isEmpty() || inClientDefault.peek());
                    XmlElement.Builder element = XmlElement.builder(reader.getLocalName(),
                            clientDefault ? XmppNamespaces.CLIENT : namespace);
                    for (int i = 0; i < reader.getAttributeCount(); i++) {
                        element.attribute(XmlElement.attributeKey(reader.getAttributeNamespace(i), reader.getAttributeLocalName(i)),
                                reader.getAttributeValue(i));
                    }
                    open.push(element);
                    childCounts.push(new int[1]);
                    inClientDefault.push(clientDefault);
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    XmlElement done = open.pop().build();
                    childCounts.pop();
                    inClientDefault.pop();
                    if (open.isEmpty()) {
                        root = done;
                    } else {
                        open.peek().child(done);
                    }
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (open.isEmpty()) {
                        if (!reader.isWhiteSpace()) {
                            throw new XmppStreamException(NOT_WELL_FORMED, "text outside the element");
                        }
                    } else {
                        countChild(childCounts);
                        open.peek().text(reader.getText());
                    }
                }
                case XMLStreamConstants.DTD -> throw new XmppStreamException(RESTRICTED_XML, "a document type declaration");
                case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                        throw new XmppStreamException(RESTRICTED_XML, "an entity reference or declaration");
                case XMLStreamConstants.PROCESSING_INSTRUCTION ->
                        throw new XmppStreamException(RESTRICTED_XML, "a processing instruction");
                case XMLStreamConstants.COMMENT -> throw new XmppStreamException(RESTRICTED_XML, "a comment");
                case XMLStreamConstants.END_DOCUMENT -> {
                    // the loop ends: hasNext() is false from here
                }
                default -> throw new XmppStreamException(RESTRICTED_XML, "XML event " + event);
            }
        }
        if (root == null) {
            throw new XmppStreamException(NOT_WELL_FORMED, "no element");
        }
        return root;
    }

    private void countChild(Deque<int[]> childCounts) throws XmppStreamException {
        int[] count = childCounts.peek();
        if (count != null && ++count[0] > maxChildren) {
            throw new XmppStreamException(POLICY_VIOLATION, "more than " + maxChildren + " children in one element");
        }
    }

    /** {@code &NAME;} with NAME not one of the five predefined entities, outside CDATA sections. */
    static boolean hasUndefinedEntityReference(String message) {
        int i = 0;
        while (i < message.length()) {
            if (message.startsWith("<![CDATA[", i)) {
                int end = message.indexOf("]]>", i);
                if (end < 0) {
                    return false;
                }
                i = end + 3;
                continue;
            }
            if (message.charAt(i) == '&' && i + 1 < message.length() && message.charAt(i + 1) != '#') {
                // bounded look-ahead: a run of '&' without ';' must not make this quadratic
                int end = i + 1;
                while (end < message.length() && end - i <= MAX_ENTITY_NAME && isNameChar(message.charAt(end))) {
                    end++;
                }
                if (end > i + 1 && end < message.length() && message.charAt(end) == ';'
                        && !PREDEFINED_ENTITIES.contains(message.substring(i + 1, end))) {
                    return true;
                }
            }
            i++;
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':' || c == '-' || c == '.';
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }
}
