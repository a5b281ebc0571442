package dev.switchboard.xmpp.tcp;

import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLInputFactory;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import dev.switchboard.xmpp.XmlElement;
import dev.switchboard.xmpp.XmppFrame;
import dev.switchboard.xmpp.XmppFraming;
import dev.switchboard.xmpp.XmppNamespaces;
import dev.switchboard.xmpp.XmppStreamException;
import dev.switchboard.xmpp.XmppStreamHandler;
import org.codehaus.stax2.XMLStreamReader2;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import static dev.switchboard.xmpp.StreamErrorCondition.BAD_NAMESPACE_PREFIX;
import static dev.switchboard.xmpp.StreamErrorCondition.INVALID_NAMESPACE;
import static dev.switchboard.xmpp.StreamErrorCondition.NOT_WELL_FORMED;
import static dev.switchboard.xmpp.StreamErrorCondition.POLICY_VIOLATION;
import static dev.switchboard.xmpp.StreamErrorCondition.RESTRICTED_XML;
import static dev.switchboard.xmpp.StreamErrorCondition.UNSUPPORTED_ENCODING;

/**
 * RFC 6120's one long document, read as its bytes arrive: {@code <stream:stream>} becomes
 * {@link XmppStreamHandler#opened}, each complete top-level child {@link XmppStreamHandler#received}
 * (the same namespace-resolved {@link XmlElement} {@link XmppFraming} makes of a WebSocket message),
 * {@code </stream:stream>} {@link XmppStreamHandler#closedByClient}; whitespace between stanzas is
 * the client's keepalive (§4.6.1) and is dropped.
 *
 * <p>Parsed by Aalto's non-blocking StAX (fed byte arrays, never blocks, returns what is complete),
 * under the rules and limits {@link XmppFraming} applies: restricted XML (§11.1: no DTD, no entity
 * but the five predefined, no processing instruction, no comment), UTF-8 only (§11.6), and the
 * stanza size, depth, attribute and children limits. The size is counted in bytes while the stanza
 * is still arriving, so no more than the limit (plus one read) is ever held for a client.
 *
 * <p>A stream restart (after SASL success, RFC 6120 §6.4.6, or STARTTLS, §5.4.3.3) needs a fresh
 * parser: the next stream may begin with its own XML declaration. {@link #restartAfterThisElement()}
 * switches at the next top-level boundary and hands the new parser the bytes after it;
 * {@link #discardAndRestart()} drops what is left (STARTTLS: nothing sent before the TLS handshake
 * counts). After {@link XmppStreamHandler#malformed} or {@link XmppStreamHandler#closedByClient} the
 * reader ignores further input.
 *
 * <p>Not thread-safe: one thread at a time feeds it (the connection's stream thread), except
 * {@link #restartAfterThisElement()}, which any thread may call.
 */
public final class XmppStreamReader {

    private static final AsyncXMLInputFactory FACTORY = factory();

    private final int maxStanzaBytes;
    private final int maxDepth;
    private final int maxAttributes;
    private final int maxChildren;
    private final XmppStreamHandler handler;

    private AsyncXMLStreamReader<AsyncByteArrayFeeder> parser;
    /** Bytes fed to the current parser: its offsets count from its first byte. */
    private long fed;
    /** Where the current top-level unit (the stream header, a stanza) began, in the parser's offsets. */
    private long unitStart;
    private boolean streamOpen;
    /** Set while the stream header has not been seen: a refused DTD is told apart from other syntax errors. */
    private boolean sawDoctype;
    private int prologueChecked;
    private final StringBuilder prologue = new StringBuilder();
    private volatile boolean finished;
    private boolean discardRequested;
    private volatile boolean restartRequested;
    private long lastElementBytes;

    // The stanza being built: one builder, child count and "last child was text" per open element.
    private final Deque<XmlElement.Builder> open = new ArrayDeque<>();
    private final Deque<int[]> childCounts = new ArrayDeque<>();
    private final Deque<Boolean> inClientDefault = new ArrayDeque<>();
    private final Deque<boolean[]> lastWasText = new ArrayDeque<>();

    public XmppStreamReader(int maxStanzaBytes, XmppStreamHandler handler) {
        this(maxStanzaBytes, XmppFraming.DEFAULT_MAX_DEPTH, XmppFraming.DEFAULT_MAX_ATTRIBUTES,
                XmppFraming.DEFAULT_MAX_CHILDREN, handler);
    }

    public XmppStreamReader(int maxStanzaBytes, int maxDepth, int maxAttributes, int maxChildren,
                            XmppStreamHandler handler) {
        if (maxStanzaBytes < 1 || maxDepth < 1 || maxAttributes < 0 || maxChildren < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxStanzaBytes = maxStanzaBytes;
        this.maxDepth = maxDepth;
        this.maxAttributes = maxAttributes;
        this.maxChildren = maxChildren;
        this.handler = handler;
        freshParser();
    }

    private static AsyncXMLInputFactory factory() {
        AsyncXMLInputFactory factory = new InputFactoryImpl();
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // an undeclared entity is then an ENTITY_REFERENCE event (refused), never a lookup
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        // text arrives in pieces as the bytes do: coalescing would hold a whole text node
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        return factory;
    }

    /** The UTF-8 size of the element last handed to {@link XmppStreamHandler#received}. */
    public long lastElementBytes() {
        return lastElementBytes;
    }

    /** True once the stream ended or was refused: further input is ignored. */
    public boolean finished() {
        return finished;
    }

    /** Ignore everything from now on (the connection is closing). */
    public void stop() {
        finished = true;
    }

    /**
     * A new stream follows the current top-level element (SASL success): at the next boundary the
     * reader starts a fresh parser and feeds it whatever came after. Any thread may call this.
     */
    public void restartAfterThisElement() {
        restartRequested = true;
    }

    /** STARTTLS: the rest of what was fed is dropped, and the next byte fed starts a new stream. */
    public void discardAndRestart() {
        discardRequested = true;
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** Reads these bytes, calling the handler for everything they complete. */
    public void feed(byte[] bytes, int offset, int length) {
        if (discardRequested || (restartRequested && open.isEmpty())) {
            restartRequested = false;
            discardRequested = false;
            freshParser();
        }
        int start = offset;
        int end = offset + length;
        while (!finished && start < end) {
            int rest = parse(bytes, start, end - start);
            if (rest < 0) {
                return;
            }
            start = rest;
        }
    }

    /**
     * Feeds one run of bytes to the parser and handles its events. Returns -1 when the run was
     * used up (or refused), or the index where a restarted stream's bytes begin.
     */
    private int parse(byte[] bytes, int start, int length) {
        long runStart = fed;
        try {
            parser.getInputFeeder().feedInput(bytes, start, length);
            fed += length;
            if (!streamOpen) {
                prologue(bytes, start, length);
            }
            int event;
            while (!finished && (event = parser.next()) != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                handle(event);
                if (discardRequested) {
                    discardRequested = false;
                    restartRequested = false;
                    freshParser();
                    return -1;
                }
                if (restartRequested && streamOpen && open.isEmpty()) {
                    restartRequested = false;
                    long boundary = ((XMLStreamReader2) parser).getLocationInfo().getEndingByteOffset();
                    int next = start + (int) (boundary - runStart);
                    freshParser();
                    return next;
                }
            }
            if (!finished && fed - unitStart > maxStanzaBytes) {
                throw tooLarge(fed - unitStart);
            }
        } catch (XmppStreamException e) {
            refuse(e);
        } catch (XMLStreamException | RuntimeException e) {
            refuse(classify(e));
        }
        return -1;
    }

    private void handle(int event) throws XMLStreamException, XmppStreamException {
        switch (event) {
            case XMLStreamConstants.START_DOCUMENT -> checkEncoding();
            case XMLStreamConstants.START_ELEMENT -> startElement();
            case XMLStreamConstants.END_ELEMENT -> endElement();
            case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> text();
            case XMLStreamConstants.DTD -> throw new XmppStreamException(RESTRICTED_XML, "a document type declaration");
            case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                    throw new XmppStreamException(RESTRICTED_XML, "an entity reference or declaration");
            case XMLStreamConstants.PROCESSING_INSTRUCTION ->
                    throw new XmppStreamException(RESTRICTED_XML, "a processing instruction");
            case XMLStreamConstants.COMMENT -> throw new XmppStreamException(RESTRICTED_XML, "a comment");
            case XMLStreamConstants.END_DOCUMENT -> {
                // after </stream:stream>: nothing more is read
                finished = true;
            }
            default -> throw new XmppStreamException(RESTRICTED_XML, "XML event " + event);
        }
    }

    private void checkEncoding() throws XmppStreamException {
        String declared = parser.getCharacterEncodingScheme();
        String detected = parser.getEncoding();
        for (String encoding : new String[] {declared, detected}) {
            if (encoding != null && !encoding.equalsIgnoreCase("UTF-8") && !encoding.equalsIgnoreCase("UTF8")) {
                throw new XmppStreamException(UNSUPPORTED_ENCODING, "encoding " + encoding + ", not UTF-8 (RFC 6120 §11.6)");
            }
        }
    }

    private void startElement() throws XMLStreamException, XmppStreamException {
        int declared = parser.getAttributeCount() + parser.getNamespaceCount();
        if (declared > maxAttributes) {
            throw new XmppStreamException(POLICY_VIOLATION, declared + " attributes on one element, over " + maxAttributes);
        }
        checkLocalName(parser.getLocalName());
        for (int i = 0; i < parser.getAttributeCount(); i++) {
            checkLocalName(parser.getAttributeLocalName(i));
        }
        String namespace = parser.getNamespaceURI() == null ? "" : parser.getNamespaceURI();
        if (!streamOpen) {
            openStream(namespace);
            return;
        }
        if (open.isEmpty()) {
            unitStart = startOffset();
        }
        if (namespace.equals(XmppNamespaces.XML) || namespace.equals(XmppNamespaces.XMLNS)) {
            // <xml:x/> parses, but no writer can declare that namespace as a default: refuse it
            throw new XmppStreamException(BAD_NAMESPACE_PREFIX, "an element with the reserved prefix xml or xmlns");
        }
        if (open.size() >= maxDepth) {
            throw new XmppStreamException(POLICY_VIOLATION, "nested deeper than " + maxDepth);
        }
        countChild(false);
        checkSize(endOffset());
        // inside a stream without a default namespace, a stanza with none is read as jabber:client
        boolean clientDefault = namespace.isEmpty() && (open.isEmpty() || inClientDefault.peek());
        XmlElement.Builder element = XmlElement.builder(parser.getLocalName(),
                clientDefault ? XmppNamespaces.CLIENT : namespace);
        addAttributes(element);
        open.push(element);
        childCounts.push(new int[1]);
        inClientDefault.push(clientDefault);
        lastWasText.push(new boolean[1]);
    }

    /**
     * Namespaces in XML §3: the part after a prefix is an NCName, so it cannot start with a digit,
     * '-' or '.'. Aalto checks only the whole name ({@code a:2b} passes), and a writer could not
     * write such an element back ({@code <2b xmlns=…>} is not XML).
     */
    private static void checkLocalName(String localName) throws XmppStreamException {
        char first = localName.isEmpty() ? '0' : localName.charAt(0);
        if (Character.isDigit(first) || first == '-' || first == '.' || first == '\u00B7'
                || (first >= '\u0300' && first <= '\u036F') || first == '\u203F' || first == '\u2040') {
            throw new XmppStreamException(NOT_WELL_FORMED, "'" + localName + "' is not a name (NCName)");
        }
    }

    private void openStream(String namespace) throws XMLStreamException, XmppStreamException {
        if (!parser.getLocalName().equals("stream") || !namespace.equals(XmppNamespaces.STREAMS)) {
            throw new XmppStreamException(INVALID_NAMESPACE, "<" + parser.getLocalName() + "> in namespace '"
                    + namespace + "' instead of <stream:stream> in " + XmppNamespaces.STREAMS);
        }
        String content = parser.getNamespaceContext().getNamespaceURI("");
        if (content != null && !content.isEmpty() && !content.equals(XmppNamespaces.CLIENT)) {
            throw new XmppStreamException(INVALID_NAMESPACE, "content namespace '" + content + "', not jabber:client");
        }
        XmlElement.Builder header = XmlElement.builder("stream", XmppNamespaces.STREAMS);
        addAttributes(header);
        streamOpen = true;
        prologue.setLength(0);
        unitStart = endOffset();
        handler.opened(new XmppFrame.Open(header.build()));
    }

    private void addAttributes(XmlElement.Builder element) {
        for (int i = 0; i < parser.getAttributeCount(); i++) {
            element.attribute(XmlElement.attributeKey(parser.getAttributeNamespace(i), parser.getAttributeLocalName(i)),
                    parser.getAttributeValue(i));
        }
    }

    private void endElement() throws XMLStreamException, XmppStreamException {
        if (open.isEmpty()) {
            // </stream:stream>: the client ends the stream (RFC 6120 §4.4)
            finished = true;
            handler.closedByClient();
            return;
        }
        checkSize(endOffset());
        XmlElement done = open.pop().build();
        childCounts.pop();
        inClientDefault.pop();
        lastWasText.pop();
        if (open.isEmpty()) {
            long end = endOffset();
            lastElementBytes = end - unitStart;
            unitStart = end;
            handler.received(done);
        } else {
            open.peek().child(done);
        }
    }

    private void text() throws XMLStreamException, XmppStreamException {
        if (open.isEmpty()) {
            if (!parser.isWhiteSpace()) {
                throw new XmppStreamException(NOT_WELL_FORMED, "text between stanzas");
            }
            // a whitespace keepalive: the next stanza's size counts from here
            unitStart = endOffset();
            return;
        }
        checkSize(endOffset());
        countChild(true);
        open.peek().text(parser.getText());
    }

    /** Elements and text runs of the innermost open element; text in pieces is one run. */
    private void countChild(boolean text) throws XmppStreamException {
        boolean[] previousText = lastWasText.peek();
        int[] count = childCounts.peek();
        if (count == null) {
            return;
        }
        if (!(text && previousText[0]) && ++count[0] > maxChildren) {
            throw new XmppStreamException(POLICY_VIOLATION, "more than " + maxChildren + " children in one element");
        }
        previousText[0] = text;
    }

    private void checkSize(long end) throws XmppStreamException {
        if (end - unitStart > maxStanzaBytes) {
            throw tooLarge(end - unitStart);
        }
    }

    private XmppStreamException tooLarge(long bytes) {
        return new XmppStreamException(POLICY_VIOLATION,
                "stanza of at least " + bytes + " bytes, over xmpp.max-stanza-bytes " + maxStanzaBytes);
    }

    private long startOffset() throws XMLStreamException {
        return ((XMLStreamReader2) parser).getLocationInfo().getStartingByteOffset();
    }

    private long endOffset() throws XMLStreamException {
        return ((XMLStreamReader2) parser).getLocationInfo().getEndingByteOffset();
    }

    /** Keeps the text before the stream header (bounded by the size limit), to name a refused DTD. */
    private void prologue(byte[] bytes, int start, int length) {
        int keep = Math.min(length, Math.max(0, 4096 - prologueChecked));
        if (keep > 0) {
            prologue.append(new String(bytes, start, keep, StandardCharsets.ISO_8859_1));
            prologueChecked += keep;
            if (prologue.indexOf("<!DOCTYPE") >= 0 || prologue.indexOf("<!ENTITY") >= 0) {
                sawDoctype = true;
            }
        }
    }

    /**
     * Aalto has no internal DTD subset and reports an entity in an attribute value as a syntax
     * error; RFC 6120 §11.1 calls both restricted XML.
     */
    private XmppStreamException classify(Exception e) {
        String message = String.valueOf(e.getMessage());
        if ((!streamOpen && sawDoctype) || message.contains("ENTITY_REFERENCE")) {
            return new XmppStreamException(RESTRICTED_XML, "a DTD or an entity: " + firstLine(message));
        }
        return new XmppStreamException(NOT_WELL_FORMED, firstLine(message));
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private void refuse(XmppStreamException error) {
        finished = true;
        open.clear();
        handler.malformed(error);
    }

    private void freshParser() {
        if (parser != null) {
            try {
                parser.close();
            } catch (XMLStreamException ignored) {
                // nothing to release: the parser reads arrays it was fed
            }
        }
        parser = FACTORY.createAsyncForByteArray();
        fed = 0;
        unitStart = 0;
        streamOpen = false;
        sawDoctype = false;
        prologueChecked = 0;
        prologue.setLength(0);
        open.clear();
        childCounts.clear();
        inClientDefault.clear();
        lastWasText.clear();
    }
}
