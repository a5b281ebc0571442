package dev.switchboard.xmpp;

import dev.switchboard.bus.FanOut;
import dev.switchboard.chat.ChatCommand;
import dev.switchboard.chat.ChatCodec;
import dev.switchboard.chat.ChatEvent;
import dev.switchboard.chat.ChatException;
import dev.switchboard.chat.ChatRoom;
import dev.switchboard.connection.ErrorCode;
import dev.switchboard.connection.RoomNames;
import dev.switchboard.security.FloodGuard;
import dev.switchboard.security.Identity;
import dev.switchboard.security.OperatorPolicy;
import dev.switchboard.security.SecurityPolicy;
import dev.switchboard.security.scram.ScramExchange;
import dev.switchboard.security.scram.ScramHash;
import dev.switchboard.security.scram.ScramStep;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client stream (RFC 6120 as RFC 7395 frames it on a WebSocket, or as a TCP document): stream
 * headers and features, STARTTLS, SASL, resource binding, then stanzas — routed to other sessions,
 * answered by the server, or handed to the chat rooms. The transport says how bytes travel; this
 * says what they mean. Called by one connection thread at a time; deliveries from other sessions
 * and rooms go straight to the transport's outbox.
 */
final class XmppSession implements XmppStreamHandler {

    private static final Logger LOG = Logger.getLogger(XmppSession.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** RFC 6120 §6.4.5: a few retries, then the stream ends with {@code policy-violation}. */
    static final int MAX_SASL_ATTEMPTS = 3;
    private static final int MAX_ROOMS = 64;

    private enum State { EXPECT_OPEN, NEGOTIATING, AUTHENTICATED, BOUND, CLOSED }

    private final XmppService service;
    private final XmppTransport transport;
    private final FloodGuard flood;
    private final LongSupplier nanoTime;
    private final long started;
    private State state = State.EXPECT_OPEN;
    private volatile long lastHeard;
    private String pendingPing;
    private int pings;

    private ScramExchange scram;
    private int saslFailures;
    private Identity identity;
    private Jid bareJid;
    private volatile Jid jid;
    private volatile String toAttribute;

    private FanOut.Attachment presenceAttachment;
    private volatile boolean available;
    private volatile int priority;
    private volatile boolean rosterPushes;
    private final Map<String, MucOccupant> rooms = new LinkedHashMap<>();

    XmppSession(XmppService service, XmppTransport transport, FloodGuard flood, LongSupplier nanoTime) {
        this.service = service;
        this.transport = transport;
        this.flood = flood;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
        this.lastHeard = started;
    }

    Jid jid() {
        return jid;
    }

    boolean isAvailable() {
        return available;
    }

    int priority() {
        return priority;
    }

    boolean wantsRosterPushes() {
        return rosterPushes;
    }

    void boundAs(Jid full) {
        this.jid = full;
        this.toAttribute = AddressedStanza.toAttribute(full);
    }

    // ---- what the connection hands us --------------------------------------------------------------

    @Override
    public synchronized void opened(XmppFrame.Open open) {
        heard();
        if (state == State.CLOSED) {
            return;
        }
        if (state != State.EXPECT_OPEN) {
            fail(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE, "the stream is already open");
            return;
        }
        transport.open(service.domain().toString(), streamId());
        // RFC 6120 §4.9.1.3: a header that cannot be accepted is answered with a header, then the error
        if (open.to() != null && !service.domain().equals(Jid.parse(open.to()))) {
            fail(StreamErrorCondition.HOST_UNKNOWN, "this server is " + service.domain());
            return;
        }
        if (!"1.0".equals(open.version())) {
            fail(StreamErrorCondition.UNSUPPORTED_VERSION, "version 1.0 only");
            return;
        }
        XmlElement.Builder features = XmlElement.builder("features", XmppNamespaces.STREAMS);
        if (identity == null) {
            state = State.NEGOTIATING;
            if (transport.tls() == XmppTransport.Tls.OFFERED) {
                // RFC 6120 §5.3.1: with a keystore, TLS is mandatory-to-negotiate; SASL comes after it
                features.child(XmlElement.builder("starttls", XmppNamespaces.TLS)
                        .child(XmlElement.empty("required", XmppNamespaces.TLS)).build());
            } else {
                XmlElement.Builder mechanisms = XmlElement.builder("mechanisms", XmppNamespaces.SASL);
                for (String mechanism : mechanisms()) {
                    mechanisms.textChild("mechanism", XmppNamespaces.SASL, mechanism);
                }
                features.child(mechanisms.build());
            }
        } else {
            state = State.AUTHENTICATED;
            features.child(XmlElement.empty("bind", XmppNamespaces.BIND));
            features.child(XmlElement.builder("session", XmppNamespaces.SESSION)
                    .child(XmlElement.empty("optional", XmppNamespaces.SESSION)).build());
        }
        transport.send(XmppWriter.write(features.build()));
    }

    @Override
    public synchronized void received(XmlElement element) {
        heard();
        switch (state) {
            case CLOSED -> {
            }
            case EXPECT_OPEN -> fail(StreamErrorCondition.NOT_AUTHORIZED, "open the stream first");
            case NEGOTIATING -> negotiate(element);
            case AUTHENTICATED -> beforeBind(element);
            case BOUND -> stanza(element);
        }
    }

    @Override
    public synchronized void closedByClient() {
        heard();
        if (state != State.CLOSED) {
            transport.close(); // RFC 6120 §4.4: answer the close with ours
            end();
        }
    }

    @Override
    public synchronized void malformed(XmppStreamException error) {
        if (state != State.CLOSED) {
            fail(error.condition(), error.getMessage());
        }
    }

    @Override
    public synchronized void disconnected() {
        end();
    }

    /** The server stops: every stream ends with {@code system-shutdown}. */
    synchronized void shutdown() {
        if (state != State.CLOSED) {
            fail(StreamErrorCondition.SYSTEM_SHUTDOWN, "the server is shutting down");
        }
    }

    /** The sweep: pings a quiet session (XEP-0199 §4.2), ends a silent or never-bound one. */
    synchronized void tick(long now) {
        if (state == State.CLOSED) {
            return;
        }
        XmppService.Settings settings = service.settings();
        if (state != State.BOUND) {
            if (now - started >= settings.loginTimeout().toNanos()) {
                fail(StreamErrorCondition.CONNECTION_TIMEOUT, "no login within " + settings.loginTimeout().toSeconds() + " s");
            }
            return;
        }
        long quiet = now - lastHeard;
        if (quiet >= settings.idleTimeout().toNanos()) {
            fail(StreamErrorCondition.CONNECTION_TIMEOUT, "nothing heard for " + settings.idleTimeout().toSeconds() + " s");
        } else if (quiet >= settings.keepaliveInterval().toNanos() && pendingPing == null) {
            pendingPing = "ping-" + (++pings);
            send(XmlElement.builder("iq", XmppNamespaces.CLIENT).attribute("from", service.domain().toString())
                    .attribute("to", jid.toString()).attribute("type", "get").attribute("id", pendingPing)
                    .child(XmlElement.empty("ping", XmppNamespaces.PING)).build());
        }
    }

    private void heard() {
        lastHeard = nanoTime.getAsLong();
    }

    // ---- negotiation: STARTTLS and SASL (RFC 6120 §5, §6) ----------------------------------------------

    private List<String> mechanisms() {
        if (service.security().isOn()) {
            return List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN");
        }
        return List.of("PLAIN", "ANONYMOUS"); // the plain demo run: any name, any password
    }

    private void negotiate(XmlElement element) {
        if (element.is("starttls", XmppNamespaces.TLS) && transport.tls() == XmppTransport.Tls.OFFERED) {
            state = State.EXPECT_OPEN;
            transport.startTls();
            return;
        }
        if (transport.tls() == XmppTransport.Tls.OFFERED) {
            fail(StreamErrorCondition.POLICY_VIOLATION, "STARTTLS is required first");
            return;
        }
        if (element.is("auth", XmppNamespaces.SASL)) {
            auth(element.attribute("mechanism"), element.text());
        } else if (element.is("response", XmppNamespaces.SASL) && scram != null) {
            scramStep(decode(element.text()));
        } else if (element.is("abort", XmppNamespaces.SASL)) {
            scram = null;
            saslFailure("aborted", "aborted");
        } else {
            fail(StreamErrorCondition.NOT_AUTHORIZED, "log in first");
        }
    }

    private void auth(String mechanism, String data) {
        if (scram != null || mechanism == null || !mechanisms().contains(mechanism)) {
            scram = null;
            saslFailure("invalid-mechanism", "invalid-mechanism");
            return;
        }
        String initial = decode(data);
        switch (mechanism) {
            case "PLAIN" -> plain(initial);
            case "ANONYMOUS" -> succeed(new Identity("anon-" + randomToken(8).toLowerCase(java.util.Locale.ROOT),
                    java.util.Set.of()), null);
            default -> {
                scram = service.security().scram().start(mechanism.equals("SCRAM-SHA-1") ? ScramHash.SHA_1 : ScramHash.SHA_256);
                if (initial == null || initial.isEmpty()) {
                    saslFailure("malformed-request", "malformed-request"); // SCRAM starts with client-first (RFC 5802 §5)
                    scram = null;
                    return;
                }
                scramStep(initial);
            }
        }
    }

    /** RFC 4616: {@code [authzid] NUL authcid NUL passwd}. */
    private void plain(String message) {
        if (message == null) {
            saslFailure("malformed-request", "malformed-request");
            return;
        }
        String[] parts = message.split("\u0000", -1);
        if (parts.length != 3 || parts[1].isEmpty()) {
            saslFailure("malformed-request", "malformed-request");
            return;
        }
        String user = parts[1];
        if (!parts[0].isEmpty() && !parts[0].equals(user) && !parts[0].equals(user + "@" + service.domain())) {
            saslFailure("invalid-authzid", "invalid-authzid");
            return;
        }
        SecurityPolicy security = service.security();
        if (!security.isOn()) {
            succeed(new Identity(user, java.util.Set.of()), null);
            return;
        }
        SecurityPolicy.Credentials result = security.login(user, parts[2], transport.remoteAddress());
        switch (result.outcome()) {
            case VALID -> succeed(result.identity(), null);
            case THROTTLED, BUSY -> saslFailure("temporary-auth-failure", "temporary-auth-failure");
            default -> saslFailure("not-authorized", "not-authorized");
        }
    }

    private void scramStep(String message) {
        ScramExchange exchange = scram;
        String user = exchange.user();
        if (user == null && message != null) {
            // client-first: the throttle is asked before any work, as for every other login
            ScramStep first = exchange.respond(message);
            if (exchange.user() != null
                    && service.security().throttled(exchange.user(), transport.remoteAddress()).isPresent()) {
                service.security().throttledRefused();
                scram = null;
                saslFailure("temporary-auth-failure", "temporary-auth-failure");
                return;
            }
            answer(first, exchange);
            return;
        }
        answer(exchange.respond(message), exchange);
    }

    private void answer(ScramStep step, ScramExchange exchange) {
        if (step instanceof ScramStep.Challenge challenge) {
            transport.send(XmppWriter.write(XmlElement.builder("challenge", XmppNamespaces.SASL)
                    .text(encode(challenge.serverFirst())).build()));
        } else if (step instanceof ScramStep.Success success) {
            scram = null;
            succeed(success.identity(), success.serverFinal());
        } else {
            ScramStep.Failure failure = (ScramStep.Failure) step;
            scram = null;
            LOG.log(Level.FINE, "SCRAM refused from {0}: {1}", new Object[] {transport.remoteAddress(), failure.reason()});
            // a bcrypt-only user cannot pass SCRAM whatever the password: no guess was made, so no strike
            // (a client such as Strophe tries SCRAM first and PLAIN after it)
            if (exchange.user() != null && failure.reason() != ScramStep.Reason.MALFORMED
                    && failure.reason() != ScramStep.Reason.NO_SCRAM_SECRET) {
                service.security().scramRefused(exchange.user(), transport.remoteAddress());
            }
            saslFailure(failure.condition(), "sasl-" + failure.condition());
        }
    }

    private void succeed(Identity who, String additionalData) {
        String local = XmppService.localOf(who.name());
        if (local.isEmpty()) {
            saslFailure("not-authorized", "not-authorized"); // a name that cannot be an address
            return;
        }
        identity = who;
        bareJid = new Jid(local, service.domain().domain(), null);
        XmlElement.Builder success = XmlElement.builder("success", XmppNamespaces.SASL);
        if (additionalData != null) {
            success.text(encode(additionalData));
        }
        state = State.EXPECT_OPEN; // RFC 6120 §6.4.6: the client restarts the stream
        transport.sendSuccessAndRestart(XmppWriter.write(success.build()));
    }

    private void saslFailure(String condition, String metric) {
        transport.metrics().error(metric.startsWith("sasl-") ? metric : "sasl-" + metric);
        transport.send(XmppWriter.write(XmlElement.builder("failure", XmppNamespaces.SASL)
                .child(XmlElement.empty(condition, XmppNamespaces.SASL)).build()));
        if (!condition.equals("aborted") && ++saslFailures >= MAX_SASL_ATTEMPTS) {
            fail(StreamErrorCondition.POLICY_VIOLATION, "too many failed logins");
        }
    }

    // ---- binding (RFC 6120 §7) ---------------------------------------------------------------------------

    private void beforeBind(XmlElement element) {
        if (!element.is("iq", XmppNamespaces.CLIENT) || !"set".equals(element.attribute("type"))
                || element.child("bind", XmppNamespaces.BIND) == null) {
            if (element.is("iq", XmppNamespaces.CLIENT) && element.attribute("id") != null) {
                refuse(element, "cancel", "not-allowed", "bind a resource first");
                return;
            }
            fail(StreamErrorCondition.NOT_AUTHORIZED, "bind a resource first");
            return;
        }
        String wanted = element.child("bind", XmppNamespaces.BIND).childText("resource", XmppNamespaces.BIND);
        String resource = null;
        if (wanted != null && !wanted.isBlank()) {
            try {
                resource = bareJid.withResource(wanted.strip()).resource();
            } catch (IllegalArgumentException e) {
                refuse(element, "modify", "bad-request", "not a resource: " + e.getMessage());
                return;
            }
        }
        Jid full = service.bind(this, bareJid, resource, () -> randomToken(8));
        state = State.BOUND;
        send(result(element).child(XmlElement.builder("bind", XmppNamespaces.BIND)
                .textChild("jid", XmppNamespaces.BIND, full.toString()).build()).build());
    }

    // ---- stanzas (RFC 6120 §8) ------------------------------------------------------------------------------

    private void stanza(XmlElement element) {
        if (!element.namespace().equals(XmppNamespaces.CLIENT)
                || !(element.name().equals("message") || element.name().equals("presence") || element.name().equals("iq"))) {
            fail(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE, "not a stanza: " + element.name());
            return;
        }
        FloodGuard.Verdict verdict = flood.admit();
        if (verdict != FloodGuard.Verdict.ADMIT) {
            transport.metrics().error("rate-limited");
            if (verdict == FloodGuard.Verdict.CLOSE) {
                fail(StreamErrorCondition.POLICY_VIOLATION, "over the stanza rate for too long");
            } else if (!"error".equals(element.attribute("type"))) {
                refuse(element, "wait", "resource-constraint", "slow down: over the stanza rate");
            }
            return;
        }
        String to = element.attribute("to");
        Jid target = to == null ? null : Jid.parse(to);
        if (to != null && target == null) {
            refuse(element, "modify", "jid-malformed", "not an address: " + abbreviate(to));
            return;
        }
        transport.metrics().request(element.name());
        switch (element.name()) {
            case "iq" -> iq(element, target);
            case "message" -> message(element, target);
            default -> presence(element, target);
        }
    }

    private void iq(XmlElement iq, Jid to) {
        String type = iq.attribute("type");
        String id = iq.attribute("id");
        if (id == null || type == null || !List.of("get", "set", "result", "error").contains(type)) {
            refuse(iq, "modify", "bad-request", "an iq needs an id and a type of get, set, result or error");
            return;
        }
        if (type.equals("result") || type.equals("error")) {
            if (to == null || to.equals(service.domain())) {
                if (id.equals(pendingPing)) {
                    pendingPing = null; // the answer to our ping (an error answer proves it alive too)
                }
            } else {
                route(iq, to);
            }
            return;
        }
        List<XmlElement> payload = iq.elements();
        if (payload.size() != 1) {
            refuse(iq, "modify", "bad-request", "an iq get or set carries exactly one element");
            return;
        }
        XmlElement query = payload.get(0);
        if (to == null || to.equals(service.domain()) || to.equals(bareJid)) {
            serverIq(iq, type, query);
        } else if (to.domain().equals(service.mucDomain().domain())) {
            mucIq(iq, type, query, to);
        } else if (!to.isBare()) {
            route(iq, to); // a resource on any node, else service-unavailable
        } else {
            refuse(iq, "cancel", "service-unavailable", null);
        }
    }

    /** What the server itself answers (RFC 6120 §8.5.3.1, §10.3.3); anything else is {@code service-unavailable}. */
    private void serverIq(XmlElement iq, String type, XmlElement query) {
        boolean get = type.equals("get");
        if (get && query.is("ping", XmppNamespaces.PING)) {
            send(result(iq).build());
        } else if (query.is("bind", XmppNamespaces.BIND)) {
            refuse(iq, "cancel", "not-allowed", "this stream is bound to " + jid + " already"); // one resource per stream (RFC 6120 §7.7.2.1)
        } else if (query.is("query", XmppNamespaces.ROSTER)) {
            if (get) {
                rosterPushes = true;
                XmlElement.Builder roster = XmlElement.builder("query", XmppNamespaces.ROSTER);
                for (Jid contact : service.rosterOf(bareJid)) {
                    roster.child(rosterItem(contact));
                }
                send(result(iq).child(roster.build()).build());
            } else {
                send(result(iq).build()); // everyone already is a contact: nothing to change
            }
        } else if (type.equals("set") && query.is("session", XmppNamespaces.SESSION)) {
            send(result(iq).build());
        } else if (get && query.is("query", XmppNamespaces.DISCO_INFO) && query.attribute("node") == null) {
            send(result(iq).child(XmlElement.builder("query", XmppNamespaces.DISCO_INFO)
                    .child(identity("server", "im", "Switchboard"))
                    .child(feature(XmppNamespaces.DISCO_INFO)).child(feature(XmppNamespaces.DISCO_ITEMS))
                    .child(feature(XmppNamespaces.PING)).child(feature(XmppNamespaces.ROSTER)).build()).build());
        } else if (get && query.is("query", XmppNamespaces.DISCO_ITEMS) && query.attribute("node") == null) {
            send(result(iq).child(XmlElement.builder("query", XmppNamespaces.DISCO_ITEMS)
                    .child(XmlElement.builder("item", XmppNamespaces.DISCO_ITEMS)
                            .attribute("jid", service.mucDomain().toString()).attribute("name", "Chat rooms").build())
                    .build()).build());
        } else {
            refuse(iq, "cancel", "service-unavailable", null);
        }
    }

    /** Disco of the MUC service and its rooms (XEP-0045 §6); nothing else is offered there. */
    private void mucIq(XmlElement iq, String type, XmlElement query, Jid to) {
        boolean get = type.equals("get");
        if (get && query.is("query", XmppNamespaces.DISCO_INFO) && to.local() == null) {
            send(result(iq).child(XmlElement.builder("query", XmppNamespaces.DISCO_INFO)
                    .child(identity("conference", "text", "Chat rooms"))
                    .child(feature(XmppNamespaces.DISCO_INFO)).child(feature(XmppNamespaces.DISCO_ITEMS))
                    .child(feature(XmppNamespaces.MUC)).build()).build());
        } else if (get && query.is("query", XmppNamespaces.DISCO_ITEMS) && to.local() == null) {
            XmlElement.Builder items = XmlElement.builder("query", XmppNamespaces.DISCO_ITEMS);
            for (String room : service.rooms().names()) {
                Jid roomJid = Jid.parse(room + "@" + service.mucDomain());
                if (roomJid != null) {
                    items.child(XmlElement.builder("item", XmppNamespaces.DISCO_ITEMS).attribute("jid", roomJid.toString())
                            .attribute("name", room).build());
                }
            }
            send(result(iq).child(items.build()).build());
        } else if (get && query.is("query", XmppNamespaces.DISCO_INFO) && to.local() != null && to.isBare()) {
            send(result(iq).child(XmlElement.builder("query", XmppNamespaces.DISCO_INFO)
                    .child(identity("conference", "text", to.local()))
                    .child(feature(XmppNamespaces.MUC)).child(feature("muc_public")).child(feature("muc_open"))
                    .child(feature("muc_temporary")).child(feature("muc_unmoderated")).child(feature("muc_nonanonymous"))
                    .build()).build());
        } else if (get && query.is("ping", XmppNamespaces.PING)) {
            send(result(iq).build());
        } else {
            refuse(iq, "cancel", "service-unavailable", null);
        }
    }

    private void message(XmlElement message, Jid to) {
        String type = message.attribute("type") == null ? "normal" : message.attribute("type");
        if (type.equals("error")) {
            if (to != null && !to.domain().equals(service.mucDomain().domain())) {
                route(message, to); // RFC 6120 §8.3.1: an error goes back where the stanza came from
            }
            return;
        }
        if (to == null) {
            refuse(message, "modify", "bad-request", "a message needs a 'to'");
            return;
        }
        if (to.domain().equals(service.mucDomain().domain())) {
            mucMessage(message, type, to);
            return;
        }
        if (!service.isLocalUser(to)) {
            refuse(message, "cancel", "service-unavailable", null);
            return;
        }
        XmppService.Route recipients = service.messageRoute(to);
        if (recipients.isEmpty()) {
            // contract: an offline or unknown recipient is service-unavailable (no offline storage, RFC 6121 §8.5.2.2)
            refuse(message, "cancel", "service-unavailable", to.bare() + " is not online");
            return;
        }
        service.send(recipients, AddressedStanza.of(stamped(message, to)));
    }

    private void presence(XmlElement presence, Jid to) {
        String type = presence.attribute("type");
        if (to != null && to.domain().equals(service.mucDomain().domain())) {
            mucPresence(presence, type, to);
            return;
        }
        if (to != null) {
            directedPresence(presence, type, to);
            return;
        }
        if (type == null) {
            XmppPresence broadcast = broadcastPresence(presence);
            if (broadcast == null) {
                return;
            }
            // routable before anyone is told: whoever sees this presence may message at once
            priority = broadcast.priority();
            available = true;
            List<XmppPresence> snapshot = new ArrayList<>();
            FanOut.Attachment attachment = service.announce(this, broadcast, presenceAttachment, snapshot);
            if (attachment != null) {
                presenceAttachment = attachment;
                for (XmppPresence other : snapshot) {
                    sendAddressed(AddressedStanza.of(other.stanza()));
                }
                attachment.start();
            }
            for (MucOccupant occupant : rooms.values()) {
                // XEP-0045 §7.7: a user's presence goes to the rooms they are in
                try {
                    occupant.room().setPresence(occupant, XmppPresence.chatPresence(broadcast.show()),
                            status(broadcast.status()));
                } catch (ChatException e) {
                    LOG.log(Level.FINE, "presence not passed to " + occupant.roomJid(), e);
                }
            }
        } else if (type.equals("unavailable")) {
            becomeUnavailable(presence.childText("status", XmppNamespaces.CLIENT));
            leaveAllRooms();
        } else if (!type.equals("error") && !type.equals("probe") && !type.equals("subscribe")
                && !type.equals("subscribed") && !type.equals("unsubscribe") && !type.equals("unsubscribed")) {
            refuse(presence, "modify", "bad-request", "no presence type '" + abbreviate(type) + "'");
        }
    }

    /** A presence without {@code to}, as the server republishes it: only show, status, priority (RFC 6121 §4.7). */
    private XmppPresence broadcastPresence(XmlElement presence) {
        String show = presence.childText("show", XmppNamespaces.CLIENT);
        if (show != null && !XmppPresence.isShow(show.strip())) {
            refuse(presence, "modify", "bad-request", "show is away, chat, dnd or xa");
            return null;
        }
        int priority = 0;
        String p = presence.childText("priority", XmppNamespaces.CLIENT);
        if (p != null) {
            try {
                priority = Math.max(-128, Math.min(127, Integer.parseInt(p.strip())));
            } catch (NumberFormatException e) {
                refuse(presence, "modify", "bad-request", "priority is a number from -128 to 127");
                return null;
            }
        }
        return new XmppPresence(jid, true, show == null ? null : show.strip(),
                presence.childText("status", XmppNamespaces.CLIENT), priority);
    }

    /** Presence to a user: subscription requests are granted at once (everyone is a contact), probes answered, the rest routed. */
    private void directedPresence(XmlElement presence, String type, Jid to) {
        if (!service.isLocalUser(to)) {
            return; // no server-to-server: presence to elsewhere goes nowhere (RFC 6121 §4.6.3 says drop)
        }
        if ("subscribe".equals(type)) {
            send(XmlElement.builder("presence", XmppNamespaces.CLIENT).attribute("from", to.bare().toString())
                    .attribute("to", bareJid.toString()).attribute("type", "subscribed").build());
            for (XmppPresence current : service.presenceOf(to.bare())) {
                sendAddressed(AddressedStanza.of(current.stanza()));
            }
        } else if ("probe".equals(type)) {
            for (XmppPresence current : service.presenceOf(to.bare())) {
                sendAddressed(AddressedStanza.of(current.stanza()));
            }
        } else if (type == null || type.equals("unavailable")) {
            XmppService.Route recipients = service.messageRoute(to);
            if (!recipients.isEmpty()) {
                service.send(recipients, AddressedStanza.of(stamped(presence, to)));
            }
        }
    }

    private void route(XmlElement stanza, Jid to) {
        XmppService.Route recipient = to.isBare() ? XmppService.Route.NOWHERE : service.exactly(to);
        if (recipient.isEmpty()) {
            if (!"result".equals(stanza.attribute("type")) && !"error".equals(stanza.attribute("type"))) {
                refuse(stanza, "cancel", "service-unavailable", null);
            }
            return;
        }
        if (recipient.here().size() == 1) {
            recipient.here().get(0).send(stamped(stanza, to).toBuilder().attribute("to", to.toString()).build());
        } else {
            service.send(recipient, AddressedStanza.of(stamped(stanza, to))); // on another node
        }
    }

    /** The stanza as routed: the server stamps {@code from} (RFC 6120 §8.1.2.1) and leaves {@code to} to each copy. */
    private XmlElement stamped(XmlElement stanza, Jid to) {
        return stanza.toBuilder().attribute("from", jid.toString()).attribute("to", null).build();
    }

    // ---- group chat: the chat rooms (XEP-0045) ---------------------------------------------------------------

    private void mucPresence(XmlElement presence, String type, Jid to) {
        String roomName = to.local();
        MucOccupant occupant = roomName == null ? null : rooms.get(roomName);
        if ("unavailable".equals(type)) {
            if (occupant != null) {
                leave(occupant, presence.childText("status", XmppNamespaces.CLIENT));
            }
            return;
        }
        if (type != null) {
            return; // subscription traffic to a room means nothing here
        }
        if (occupant != null) {
            if (to.resource() != null && !to.resource().equals(occupant.nick())) {
                mucError(presence, to, "cancel", "not-acceptable", "changing the nick in a room is not supported: leave and join");
                return;
            }
            XmppPresence p = broadcastPresence(presence);
            if (p != null) {
                try {
                    occupant.room().setPresence(occupant, XmppPresence.chatPresence(p.show()), status(p.status()));
                } catch (ChatException e) {
                    mucError(presence, to, "wait", "resource-constraint", e.detail());
                }
            }
            return;
        }
        join(presence, to);
    }

    private void join(XmlElement presence, Jid to) {
        String roomName = to.local();
        if (roomName == null || !RoomNames.isValid(roomName) || to.resource() == null) {
            mucError(presence, to, "modify", "jid-malformed", "a room is NAME@" + service.mucDomain()
                    + "/NICK, NAME of letters, digits, '.', '_' or '-'");
            return;
        }
        SecurityPolicy security = service.security();
        if (!security.allows(identity, "chat", roomName)) {
            mucError(presence, to, "auth", "forbidden", "not allowed in room " + roomName);
            return;
        }
        if (rooms.size() >= MAX_ROOMS) {
            mucError(presence, to, "wait", "resource-constraint", "in " + MAX_ROOMS + " rooms already");
            return;
        }
        String nick;
        try {
            nick = ChatCodec.checkedNick(to.resource());
        } catch (ChatException e) {
            mucError(presence, to, "modify", "jid-malformed", e.detail());
            return;
        }
        if (security.isOn() && !identity.hasRole(OperatorPolicy.OPERATOR_ROLE)) {
            String own;
            try {
                own = ChatCodec.checkedNick(identity.name());
            } catch (ChatException e) {
                own = identity.name();
            }
            if (!nick.equals(own)) {
                // contract: with security on the nick is the user's name (operators may choose another)
                mucError(presence, to, "modify", "not-acceptable", "your nick in rooms is " + own);
                return;
            }
        }
        XmppPresence p = broadcastPresence(presence);
        if (p == null) {
            return;
        }
        Jid roomJid = to.bare();
        MucOccupant occupant = new MucOccupant(this, "xmpp:" + streamKey() + ":" + roomName, roomJid, nick);
        ChatRoom.Joined joined;
        try {
            joined = service.rooms().join(roomName, occupant,
                    new ChatCommand.Join(nick, XmppPresence.chatPresence(p.show()), status(p.status())));
        } catch (ChatException e) {
            if (e.error() == ErrorCode.NICK_TAKEN) {
                mucError(presence, to, "cancel", "conflict", "'" + nick + "' is already in " + roomName); // XEP-0045 §7.2.9
            } else {
                mucError(presence, to, "modify", "not-acceptable", e.detail());
            }
            return;
        }
        occupant.joined(joined.room(), joined.attachment());
        rooms.put(roomName, occupant);
        ChatEvent.Welcome welcome = joined.welcome();
        // XEP-0045 §7.2.3–§7.2.16: the others, then oneself with 110, then history, then the subject
        for (ChatEvent.Member member : welcome.members()) {
            if (!member.nick().equals(nick)) {
                sendAddressed(AddressedStanza.of(MucOccupant.presence(roomJid, member.nick(), member.presence(), member.status())));
            }
        }
        XmlElement self = occupant.self(XmppPresence.chatPresence(p.show()), status(p.status()));
        if (!nick.equals(to.resource())) {
            // §7.2.14: the service changed the nick (normalised it): status 210
            XmlElement x = self.child("x", XmppNamespaces.MUC_USER).toBuilder()
                    .child(XmlElement.builder("status", XmppNamespaces.MUC_USER).attribute("code", "210").build()).build();
            XmlElement.Builder b = XmlElement.builder("presence", XmppNamespaces.CLIENT);
            self.attributes().forEach(b::attribute);
            self.elements().forEach(c -> b.child(c.is("x", XmppNamespaces.MUC_USER) ? x : c));
            self = b.build();
        }
        send(self);
        int maxHistory = historyWanted(presence);
        List<ChatEvent.RoomMessage> history = welcome.history();
        for (ChatEvent.RoomMessage message : history.subList(Math.max(0, history.size() - maxHistory), history.size())) {
            sendAddressed(AddressedStanza.of(MucOccupant.groupchat(roomJid, message, true)));
        }
        send(XmlElement.builder("message", XmppNamespaces.CLIENT).attribute("from", roomJid.toString())
                .attribute("to", jid.toString()).attribute("type", "groupchat")
                .child(XmlElement.empty("subject", XmppNamespaces.CLIENT)).build());
        joined.attachment().start();
    }

    /** XEP-0045 §7.2.15: {@code <history maxstanzas='N'/>} in the join limits the history sent. */
    private static int historyWanted(XmlElement presence) {
        XmlElement x = presence.child("x", XmppNamespaces.MUC);
        XmlElement history = x == null ? null : x.child("history", XmppNamespaces.MUC);
        String max = history == null ? null : history.attribute("maxstanzas");
        if (max != null) {
            try {
                return Math.max(0, Integer.parseInt(max.strip()));
            } catch (NumberFormatException ignored) {
                // fall through to everything
            }
        }
        return Integer.MAX_VALUE;
    }

    private void mucMessage(XmlElement message, String type, Jid to) {
        MucOccupant occupant = to.local() == null ? null : rooms.get(to.local());
        if (occupant == null) {
            refuse(message, "cancel", "not-acceptable", "join the room first"); // XEP-0045 §7.4
            return;
        }
        String body = message.childText("body", XmppNamespaces.CLIENT);
        try {
            if (type.equals("groupchat") && to.isBare()) {
                if (message.child("subject", XmppNamespaces.CLIENT) != null) {
                    refuse(message, "auth", "forbidden", "the subject is not set by occupants here");
                } else if (body != null) {
                    occupant.room().say(occupant, service.chatCodec().checkedText(body));
                } else if (message.child("composing", XmppNamespaces.CHAT_STATES) != null) {
                    occupant.room().typing(occupant);
                }
            } else if (!to.isBare() && body != null) {
                occupant.room().whisper(occupant, to.resource(), service.chatCodec().checkedText(body));
            } else if (body != null) {
                refuse(message, "modify", "bad-request", "a message to a room is type groupchat");
            }
        } catch (ChatException e) {
            switch (e.error()) {
                case RATE_LIMITED -> refuse(message, "wait", "resource-constraint", e.detail());
                case NO_SUCH_MEMBER -> refuse(message, "cancel", "item-not-found", e.detail());
                default -> refuse(message, "modify", "not-acceptable", e.detail());
            }
        }
    }

    private void leave(MucOccupant occupant, String status) {
        rooms.remove(occupant.room().name());
        service.rooms().leave(occupant.room(), occupant);
        XmlElement gone = occupant.self(dev.switchboard.chat.Presence.UNAVAILABLE, status);
        send(gone); // XEP-0045 §7.14: the leaver gets its own unavailable presence, with 110
    }

    private void leaveAllRooms() {
        for (MucOccupant occupant : new ArrayList<>(rooms.values())) {
            leave(occupant, null);
        }
    }

    private void mucError(XmlElement presence, Jid to, String type, String condition, String text) {
        transport.metrics().error(condition);
        send(errorStanza(presence, to.toString(), type, condition, text));
    }

    private static String status(String status) {
        if (status == null) {
            return "";
        }
        int max = ChatCodec.MAX_STATUS;
        return status.codePointCount(0, status.length()) <= max ? status
                : status.substring(0, status.offsetByCodePoints(0, max));
    }

    // ---- what we send -----------------------------------------------------------------------------------------

    void send(XmlElement stanza) {
        transport.send(XmppWriter.write(stanza));
    }

    /** A stanza encoded once for many recipients, addressed to this session. */
    void sendAddressed(AddressedStanza stanza) {
        String to = toAttribute;
        if (to != null) {
            transport.send(stanza.to(to));
        }
    }

    void rosterPush(Jid contact) {
        send(XmlElement.builder("iq", XmppNamespaces.CLIENT).attribute("to", jid.toString()).attribute("type", "set")
                .attribute("id", "push-" + randomToken(6))
                .child(XmlElement.builder("query", XmppNamespaces.ROSTER).child(rosterItem(contact)).build()).build());
    }

    private static XmlElement rosterItem(Jid contact) {
        return XmlElement.builder("item", XmppNamespaces.ROSTER).attribute("jid", contact.toString())
                .attribute("name", contact.local()).attribute("subscription", "both").build();
    }

    private XmlElement.Builder result(XmlElement iq) {
        XmlElement.Builder result = XmlElement.builder("iq", XmppNamespaces.CLIENT).attribute("type", "result")
                .attribute("id", iq.attribute("id"));
        String to = iq.attribute("to");
        if (to != null) {
            result.attribute("from", to);
        }
        if (jid != null) {
            result.attribute("to", jid.toString());
        }
        return result;
    }

    private static XmlElement identity(String category, String type, String name) {
        return XmlElement.builder("identity", XmppNamespaces.DISCO_INFO).attribute("category", category)
                .attribute("type", type).attribute("name", name).build();
    }

    private static XmlElement feature(String var) {
        return XmlElement.builder("feature", XmppNamespaces.DISCO_INFO).attribute("var", var).build();
    }

    /** A stanza error back to the sender (RFC 6120 §8.3), counted by condition; a strike on the flood guard. */
    private void refuse(XmlElement stanza, String type, String condition, String text) {
        transport.metrics().error(condition);
        if ("error".equals(stanza.attribute("type"))) {
            return; // RFC 6120 §8.3.1: never answer an error with an error
        }
        send(errorStanza(stanza, stanza.attribute("to"), type, condition, text));
    }

    private XmlElement errorStanza(XmlElement stanza, String from, String type, String condition, String text) {
        XmlElement.Builder error = XmlElement.builder("error", XmppNamespaces.CLIENT).attribute("type", type)
                .child(XmlElement.empty(condition, XmppNamespaces.STANZA_ERRORS));
        if (text != null) {
            error.child(XmlElement.builder("text", XmppNamespaces.STANZA_ERRORS).attribute("xml:lang", "en").text(text).build());
        }
        return XmlElement.builder(stanza.name(), XmppNamespaces.CLIENT).attribute("type", "error")
                .attribute("id", stanza.attribute("id")).attribute("from", from)
                .attribute("to", jid == null ? null : jid.toString()).child(error.build()).build();
    }

    // ---- the end ------------------------------------------------------------------------------------------------

    private void fail(StreamErrorCondition condition, String text) {
        transport.metrics().error(condition.elementName());
        transport.fail(condition, text);
        end();
    }

    /** Leaves everything the session joined, once: presence, rooms, its address. */
    private void end() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        leaveAllRooms();
        becomeUnavailable(null);
        if (jid != null) {
            service.unbind(this, jid);
        }
        service.ended(this);
    }

    private void becomeUnavailable(String status) {
        available = false;
        if (presenceAttachment != null) {
            service.withdraw(presenceAttachment, jid, status);
            presenceAttachment = null;
        }
    }

    private String streamKey;

    private String streamKey() {
        if (streamKey == null) {
            streamKey = randomToken(12);
        }
        return streamKey;
    }

    private String streamId() {
        return randomToken(16);
    }

    private static String randomToken(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static String decode(String base64) {
        String data = base64 == null ? "" : base64.strip();
        if (data.equals("=") || data.isEmpty()) {
            return ""; // RFC 6120 §6.4.2: "=" is an empty initial response
        }
        try {
            return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
