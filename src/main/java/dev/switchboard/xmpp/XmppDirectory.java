package dev.switchboard.xmpp;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The resources bound on the other nodes of a cluster, and the way to them: {@link XmppService}
 * keeps this node's sessions itself (it holds their connections) and asks this about everyone
 * else's. It publishes this node's resources (their full JIDs, availability and priority) so the
 * others can route to them and list them. With {@code cluster=off} there are no other nodes:
 * {@link #SINGLE_NODE} knows nobody and claims every address, and the service is what it was.
 */
public interface XmppDirectory extends AutoCloseable {

    /** A resource bound on another node: where, and its presence now (null while it has sent none). */
    record Resource(Jid jid, String node, XmppPresence presence) {

        /** RFC 6121 §8.5.2.1.1: available, with a priority of 0 or more — a bare JID's message goes there. */
        public boolean takesBareMessages() {
            return presence != null && presence.available() && presence.priority() >= 0;
        }
    }

    /** What {@link #claim} found. */
    enum Claim {
        /** A session on another node has this full JID: the caller picks another resource (RFC 6120 §7.7.2.2). */
        TAKEN,
        /** Taken for this node; the account has no resource bound on any other node. */
        NONE_ELSEWHERE,
        /** Taken for this node; the account has resources bound on other nodes too. */
        ALSO_ELSEWHERE
    }

    /**
     * Takes the full JID for a session of this node, and says whether the account is bound on
     * another node — decided one claim of the account at a time in the whole cluster, so of two
     * first resources binding at once on two nodes exactly one finds none elsewhere.
     */
    Claim claim(Jid full);

    /** The session of this node bound to it ended. */
    void release(Jid full);

    /** The current presence of one of this node's resources (available or not). */
    void announce(XmppPresence presence);

    /** Every available resource's presence on the other nodes. */
    List<XmppPresence> availableElsewhere();

    /** The account's resources bound on the other nodes. */
    List<Resource> resourcesElsewhere(Jid bare);

    /** The resource with exactly this full JID on another node, or null. */
    Resource resourceElsewhere(Jid full);

    /** Accounts (bare JIDs) with a resource bound on another node. */
    List<Jid> accountsElsewhere();

    /** Hands a stanza to resources of another node; each gets it with its own {@code to}. */
    void deliver(String node, List<Jid> recipients, AddressedStanza stanza);

    /**
     * An account has just come online: its first resource in the cluster is bound on this node
     * (it claimed {@link Claim#NONE_ELSEWHERE} with no other here). Every other node is told, once.
     */
    void cameOnline(Jid bare);

    /**
     * Who takes what arrives for this node's resources ({@code deliver} on another node); who
     * hears about another node's resources that went without it saying so (it died): each one that
     * was available, once, on one node; and who hears that an account came online on another node
     * ({@link #cameOnline} there).
     */
    void listen(BiConsumer<Jid, AddressedStanza> delivered, Consumer<Jid> departed, Consumer<Jid> cameOnline);

    @Override
    default void close() {
    }

    /** One node: nobody elsewhere. */
    XmppDirectory SINGLE_NODE = new XmppDirectory() {
        @Override
        public Claim claim(Jid full) {
            return Claim.NONE_ELSEWHERE;
        }

        @Override
        public void release(Jid full) {
        }

        @Override
        public void announce(XmppPresence presence) {
        }

        @Override
        public List<XmppPresence> availableElsewhere() {
            return List.of();
        }

        @Override
        public List<Resource> resourcesElsewhere(Jid bare) {
            return List.of();
        }

        @Override
        public Resource resourceElsewhere(Jid full) {
            return null;
        }

        @Override
        public List<Jid> accountsElsewhere() {
            return List.of();
        }

        @Override
        public void deliver(String node, List<Jid> recipients, AddressedStanza stanza) {
        }

        @Override
        public void cameOnline(Jid bare) {
        }

        @Override
        public void listen(BiConsumer<Jid, AddressedStanza> delivered, Consumer<Jid> departed, Consumer<Jid> cameOnline) {
        }
    };
}
