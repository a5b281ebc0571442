package dev.switchboard.chat;

import dev.switchboard.connection.ErrorCode;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.connection.Broadcast;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One chat room: who is in it (nicks unique, ignoring case and lookalike letters — see {@link Nicks}),
 * their presence, the bounded history.
 * Every change happens under the room's lock and is published to the room's bus channel in the
 * same step, so all members see joins, leaves and messages in one order. Publishing only hands
 * already-encoded text to outboxes; nothing under the lock waits on the network.
 */
public final class ChatRoom {

    private record Entry(ChatMember member, String nick, Presence presence, String status,
                         MessageBus.Subscription subscription) {
        ChatEvent.Member view() {
            return new ChatEvent.Member(nick, presence, status);
        }
    }

    private final String name;
    private final String channel;
    private final MessageBus bus;
    private final ChatCodec encoder;
    private final int historyLimit;
    private final LongSupplier clock;
    private final MessageIds ids;
    private final Map<String, Entry> byNick = new LinkedHashMap<>();
    private final Map<String, Entry> byKey = new LinkedHashMap<>();
    private final ArrayDeque<ChatEvent.RoomMessage> history = new ArrayDeque<>();
    private boolean retired;

    ChatRoom(String name, MessageBus bus, ChatCodec encoder, int historyLimit, LongSupplier clock, MessageIds ids) {
        this.name = name;
        this.channel = "chat/" + name;
        this.bus = bus;
        this.encoder = encoder;
        this.historyLimit = historyLimit;
        this.clock = clock;
        this.ids = ids;
    }

    public String name() {
        return name;
    }

    /**
     * Adds a member: it gets {@code welcome} (members including itself, history), the others get
     * its presence. Returns false when the room was retired meanwhile (the caller retries on a new one).
     */
    synchronized boolean join(ChatMember member, ChatCommand.Join join) throws ChatException {
        if (retired) {
            return false;
        }
        if (byKey.containsKey(member.key())) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "already joined as " + byKey.get(member.key()).nick());
        }
        String nickKey = Nicks.key(join.nick());
        if (byNick.containsKey(nickKey)) {
            throw new ChatException(ErrorCode.NICK_TAKEN, "'" + join.nick() + "' is already in " + name);
        }
        // Everything that can fail is done before the member is registered: a join either
        // completes (welcome sent, others told) or leaves no trace.
        Entry joining = new Entry(member, join.nick(), join.presence(), join.status(), null);
        List<ChatEvent.Member> members = new ArrayList<>(byNick.size() + 1);
        byNick.values().forEach(e -> members.add(e.view()));
        members.add(joining.view());
        Broadcast welcome = Broadcast.text(encoder.encode(
                new ChatEvent.Welcome(join.nick(), name, members, List.copyOf(history))));
        Broadcast presence = Broadcast.textExcept(encoder.encode(
                new ChatEvent.PresenceChange(join.nick(), join.presence(), join.status())), member.key());
        MessageBus.Subscription subscription = bus.subscribe(channel, member.key(), member::send);
        Entry entry = new Entry(member, join.nick(), join.presence(), join.status(), subscription);
        byNick.put(nickKey, entry);
        byKey.put(member.key(), entry);
        member.send(welcome);
        bus.publish(channel, presence);
        return true;
    }

    /** A message to the whole room, sender included, kept in history. */
    synchronized ChatEvent.RoomMessage say(ChatMember member, String text) throws ChatException {
        Entry from = joined(member);
        ChatEvent.RoomMessage message = new ChatEvent.RoomMessage(ids.next(), name, from.nick(), text, clock.getAsLong());
        if (historyLimit > 0) {
            if (history.size() == historyLimit) {
                history.removeFirst();
            }
            history.addLast(message);
        }
        bus.publish(channel, Broadcast.text(encoder.encode(message)));
        return message;
    }

    /** A message to one member and back to the sender; never kept. */
    synchronized void whisper(ChatMember member, String toNick, String text) throws ChatException {
        Entry from = joined(member);
        Entry to = byNick.get(Nicks.key(Nicks.lookup(toNick)));
        if (to == null) {
            throw new ChatException(ErrorCode.NO_SUCH_MEMBER, "no member '" + toNick + "' in " + name);
        }
        Broadcast encoded = Broadcast.text(encoder.encode(
                new ChatEvent.PrivateMessage(ids.next(), from.nick(), to.nick(), text, clock.getAsLong())));
        to.member().send(encoded);
        if (to != from) {
            from.member().send(encoded);
        }
    }

    /** A presence or status change, announced to everyone (the member included, as confirmation). */
    synchronized void setPresence(ChatMember member, Presence presence, String status) throws ChatException {
        Entry entry = joined(member);
        Entry changed = new Entry(entry.member(), entry.nick(), presence, status == null ? entry.status() : status,
                entry.subscription());
        byNick.put(Nicks.key(entry.nick()), changed);
        byKey.put(member.key(), changed);
        bus.publish(channel, Broadcast.text(encoder.encode(
                new ChatEvent.PresenceChange(changed.nick(), changed.presence(), changed.status()))));
    }

    /** A typing hint, to everyone but the typist. */
    synchronized void typing(ChatMember member) throws ChatException {
        Entry entry = joined(member);
        publishExcept(new ChatEvent.TypingHint(entry.nick()), member.key());
    }

    /**
     * Removes a member (it left or its connection dropped) and tells the others it is unavailable.
     * Returns true when the room is now empty and retired.
     */
    synchronized boolean leave(ChatMember member) {
        Entry entry = byKey.remove(member.key());
        if (entry == null) {
            return false;
        }
        byNick.remove(Nicks.key(entry.nick()));
        entry.subscription().close();
        bus.publish(channel, Broadcast.text(encoder.encode(
                new ChatEvent.PresenceChange(entry.nick(), Presence.UNAVAILABLE, entry.status()))));
        if (byKey.isEmpty()) {
            retired = true;
        }
        return retired;
    }

    public synchronized List<ChatEvent.Member> members() {
        return new ArrayList<>(byNick.values().stream().map(Entry::view).toList());
    }

    public synchronized int size() {
        return byKey.size();
    }

    synchronized List<ChatEvent.RoomMessage> history() {
        return List.copyOf(history);
    }

    private Entry joined(ChatMember member) throws ChatException {
        Entry entry = byKey.get(member.key());
        if (entry == null) {
            throw new ChatException(ErrorCode.NOT_JOINED, "join the room first");
        }
        return entry;
    }

    private void publishExcept(ChatEvent event, String exceptKey) {
        bus.publish(channel, Broadcast.textExcept(encoder.encode(event), exceptKey));
    }

}
