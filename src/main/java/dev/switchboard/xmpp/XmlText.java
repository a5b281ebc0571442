package dev.switchboard.xmpp;

import java.util.Objects;

/** Character data as the parser delivered it (entities and CDATA already resolved, coalesced). */
public record XmlText(String text) implements XmlNode {

    public XmlText {
        Objects.requireNonNull(text, "text");
    }
}
