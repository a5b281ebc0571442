package dev.switchboard.xmpp.tcp;

import dev.switchboard.xmpp.XmlElement;
import dev.switchboard.xmpp.XmppFrame;
import dev.switchboard.xmpp.XmppNamespaces;
import dev.switchboard.xmpp.XmppStreamException;
import dev.switchboard.xmpp.XmppStreamHandler;
import dev.switchboard.xmpp.XmppTransport;
import dev.switchboard.xmpp.XmppWriter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The least session a TCP stream test needs: answers a header with its own and features (STARTTLS
 * while on offer, then PLAIN), STARTTLS and any {@code <auth/>} as a server would, a
 * {@code <message id='flood' …>} with that many 1 KiB messages, and echoes every other stanza.
 */
final class EchoSession implements XmppStreamHandler {

    static final String TLS_NS = "urn:ietf:params:xml:ns:xmpp-tls";

    private final XmppTransport transport;
    final List<XmlElement> received = new CopyOnWriteArrayList<>();
    final CountDownLatch disconnected = new CountDownLatch(1);
    final AtomicInteger streams = new AtomicInteger();
    volatile XmppStreamException malformed;

    EchoSession(XmppTransport transport) {
        this.transport = transport;
    }

    @Override
    public void opened(XmppFrame.Open open) {
        transport.open("localhost", "s" + streams.incrementAndGet());
        if (transport.tls() == XmppTransport.Tls.OFFERED) {
            transport.send("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><starttls xmlns='"
                    + TLS_NS + "'><required/></starttls></stream:features>");
        } else {
            transport.send("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='"
                    + XmppNamespaces.SASL + "'><mechanism>PLAIN</mechanism></mechanisms></stream:features>");
        }
    }

    @Override
    public void received(XmlElement element) {
        received.add(element);
        if (element.is("starttls", TLS_NS)) {
            transport.startTls();
        } else if (element.is("auth", XmppNamespaces.SASL)) {
            transport.sendSuccessAndRestart("<success xmlns='" + XmppNamespaces.SASL + "'/>");
        } else if (element.is("message", XmppNamespaces.CLIENT) && element.attribute("flood") != null) {
            int count = Integer.parseInt(element.attribute("flood"));
            String body = "x".repeat(1000);
            for (int i = 0; i < count; i++) {
                transport.send("<message xmlns='jabber:client' id='f" + i + "'><body>" + body + "</body></message>");
            }
        } else {
            transport.send(XmppWriter.write(element));
        }
    }

    @Override
    public void closedByClient() {
        transport.close();
    }

    @Override
    public void malformed(XmppStreamException error) {
        malformed = error;
        transport.fail(error.condition(), null);
    }

    @Override
    public void disconnected() {
        disconnected.countDown();
    }
}
