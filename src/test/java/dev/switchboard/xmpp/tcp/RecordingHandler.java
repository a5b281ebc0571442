package dev.switchboard.xmpp.tcp;

import dev.switchboard.xmpp.XmlElement;
import dev.switchboard.xmpp.XmppFrame;
import dev.switchboard.xmpp.XmppStreamException;
import dev.switchboard.xmpp.XmppStreamHandler;

import java.util.ArrayList;
import java.util.List;

/** Writes down what a reader hands a stream, in order. */
class RecordingHandler implements XmppStreamHandler {

    final List<Object> events = new ArrayList<>();

    @Override
    public void opened(XmppFrame.Open open) {
        events.add(open);
    }

    @Override
    public void received(XmlElement element) {
        events.add(element);
    }

    @Override
    public void closedByClient() {
        events.add("closed");
    }

    @Override
    public void malformed(XmppStreamException error) {
        events.add(error);
    }

    @Override
    public void disconnected() {
        events.add("disconnected");
    }

    List<XmlElement> elements() {
        List<XmlElement> elements = new ArrayList<>();
        for (Object event : events) {
            if (event instanceof XmlElement e) {
                elements.add(e);
            }
        }
        return elements;
    }

    XmppStreamException error() {
        for (Object event : events) {
            if (event instanceof XmppStreamException e) {
                return e;
            }
        }
        return null;
    }
}
