package dev.switchboard.xmpp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One XML element as the stanza layer sees it: immutable, namespace-resolved, prefixes dropped.
 *
 * <p>{@code namespace} is the element's namespace name ({@code ""} for none). Attribute keys are
 * the attribute's local name when it has no namespace (the usual case), {@code xml:NAME} for the
 * XML namespace ({@code xml:lang}), and {@code {URI}NAME} for any other namespace. Namespace
 * declarations are not attributes: the writer declares what the tree needs.
 */
public record XmlElement(String name, String namespace, Map<String, String> attributes, List<XmlNode> children)
        implements XmlNode {

    public XmlElement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(namespace, "namespace");
        if (name.isEmpty() || name.indexOf(':') >= 0) {
            throw new IllegalArgumentException("not a local name: " + name);
        }
        for (String key : attributes.keySet()) {
            if (key.equals("xmlns") || key.startsWith("xmlns:")) {
                throw new IllegalArgumentException("namespace declarations are not attributes: " + key);
            }
        }
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        children = List.copyOf(children);
    }

    /**
     * How an attribute is keyed: its local name without a namespace, {@code xml:NAME} in the XML
     * namespace, {@code {NAMESPACE}NAME} otherwise (XmppWriter binds a prefix for those).
     */
    public static String attributeKey(String namespace, String localName) {
        if (namespace == null || namespace.isEmpty()) {
            return localName;
        }
        if (namespace.equals(XmppNamespaces.XML)) {
            return "xml:" + localName;
        }
        return "{" + namespace + "}" + localName;
    }

    public static Builder builder(String name, String namespace) {
        return new Builder(name, namespace);
    }

    /** An element with neither attributes nor children, {@code <ping xmlns="urn:xmpp:ping"/>}. */
    public static XmlElement empty(String name, String namespace) {
        return new XmlElement(name, namespace, Map.of(), List.of());
    }

    public boolean is(String name, String namespace) {
        return this.name.equals(name) && this.namespace.equals(namespace);
    }

    /** The attribute's value, or null when absent. */
    public String attribute(String key) {
        return attributes.get(key);
    }

    /** The concatenated text children (not the descendants'): {@code <body>}'s message. */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (XmlNode child : children) {
            if (child instanceof XmlText t) {
                text.append(t.text());
            }
        }
        return text.toString();
    }

    public List<XmlElement> elements() {
        List<XmlElement> elements = new ArrayList<>();
        for (XmlNode child : children) {
            if (child instanceof XmlElement e) {
                elements.add(e);
            }
        }
        return elements;
    }

    /** The first child element with this name and namespace, or null. */
    public XmlElement child(String name, String namespace) {
        for (XmlNode child : children) {
            if (child instanceof XmlElement e && e.is(name, namespace)) {
                return e;
            }
        }
        return null;
    }

    /** The text of {@link #child}, or null when there is no such child. */
    public String childText(String name, String namespace) {
        XmlElement child = child(name, namespace);
        return child == null ? null : child.text();
    }

    public Builder toBuilder() {
        Builder builder = new Builder(name, namespace);
        builder.attributes.putAll(attributes);
        builder.children.addAll(children);
        return builder;
    }

    @Override
    public String toString() {
        return XmppWriter.write(this);
    }

    /** Builds stanzas in code: {@code XmlElement.builder("message", CLIENT).attribute("to", jid).child(body).build()}. */
    public static final class Builder {
        private final String name;
        private final String namespace;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final List<XmlNode> children = new ArrayList<>();

        private Builder(String name, String namespace) {
            this.name = name;
            this.namespace = namespace;
        }

        /** Sets (or, with a null value, removes) an attribute. */
        public Builder attribute(String key, String value) {
            if (value == null) {
                attributes.remove(key);
            } else {
                attributes.put(key, value);
            }
            return this;
        }

        public Builder child(XmlElement child) {
            children.add(Objects.requireNonNull(child, "child"));
            return this;
        }

        /** Appends text, merged with a text node just before it (so that trees compare as parsed ones). */
        public Builder text(String text) {
            if (text.isEmpty()) {
                return this;
            }
            int last = children.size() - 1;
            if (last >= 0 && children.get(last) instanceof XmlText previous) {
                children.set(last, new XmlText(previous.text() + text));
            } else {
                children.add(new XmlText(text));
            }
            return this;
        }

        /** A child element holding just text, {@code <body>hi</body>}. */
        public Builder textChild(String name, String namespace, String text) {
            return child(XmlElement.builder(name, namespace).text(text).build());
        }

        public XmlElement build() {
            return new XmlElement(name, namespace, attributes, children);
        }
    }
}
