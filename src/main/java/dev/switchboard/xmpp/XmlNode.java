package dev.switchboard.xmpp;

/** A child of an {@link XmlElement}: another element or a run of text. */
public sealed interface XmlNode permits XmlElement, XmlText {
}
