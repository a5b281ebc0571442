package dev.switchboard.chat;

import dev.switchboard.bus.Delivery;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.bus.Position;
import dev.switchboard.bus.Replay;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.connection.Broadcast;
import dev.switchboard.connection.ErrorCode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One chat room: who is in it (nicks unique, ignoring case and lookalike letters — see
 * {@link Nicks}) and their presence. What happens in the room is published to its channel
 * ({@code chat:ROOM}) under the room's lock, so the channel's order is the order of the room's
 * changes; the channel keeps the room's messages (history and recovery) and fans every event out
 * to the members after the lock is released. Nothing under the lock touches a connection.
 */
public final class ChatRoom {

    /** A member's place: its welcome to send, then {@code attachment.start()} for what follows. */
    public record Joined(ChatRoom room, FanOut.Attachment attachment, ChatEvent.Welcome welcome, Boolean recovered) {
        /** The welcome as a JSON member gets it. */
        public Broadcast welcomeJson() {
            return Broadcast.text(ChatCodec.json(welcome));
        }
    }

    private record Entry(ChatMember member, String nick, Presence presence, String status,
                         FanOut.Attachment attachment) {
        ChatEvent.Member view() {
            return new ChatEvent.Member(nick, presence, status);
        }
    }

    /** Chat's wire format, the key of its one encoding per event. */
    private static final String JSON = "chat-json";
    /** The event as {@link ChatEvent}, made once per event for every member's edge. */
    private static final String EVENT = "chat-event";
    private static final Function<Sequenced, Broadcast> TO_JSON = s -> Broadcast.text(ChatCodec.json(event(s)));

    private final String name;
    private final String channel;
    private final MessageBus bus;
    private final FanOut fanOut;
    private final int historyLimit;
    private final LongSupplier clock;
    private final MessageIds ids;
    /** Every member's name, presence and status — with {@code cluster=on}, every node's. */
    private final Roster roster;
    /** This node's members, by {@link ChatMember#key()}. */
    private final Map<String, Entry> byKey = new LinkedHashMap<>();
    private boolean retired;

    ChatRoom(String name, MessageBus bus, FanOut fanOut, int historyLimit, LongSupplier clock, MessageIds ids,
             Roster roster) {
        this.roster = roster;
        this.name = name;
        this.channel = ChatRooms.channel(name);
        this.bus = bus;
        this.fanOut = fanOut;
        this.historyLimit = historyLimit;
        this.clock = clock;
        this.ids = ids;
    }

    public String name() {
        return name;
    }

    /**
     * Adds a member and tells the others. The caller sends the returned welcome (members including
     * the joiner, and the history — or, for a join with {@code since}, exactly the messages missed
     * when the log still has them), then starts the attachment. Returns null when the room was
     * retired meanwhile (the caller retries on a new one).
     */
    synchronized Joined join(ChatMember member, ChatCommand.Join join) throws ChatException {
        if (retired) {
            return null;
        }
        if (byKey.containsKey(member.key())) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "already joined as " + byKey.get(member.key()).nick());
        }
        String nickKey = Nicks.key(join.nick());
        if (!roster.claim(name, nickKey, new ChatEvent.Member(join.nick(), join.presence(), join.status()))) {
            throw new ChatException(ErrorCode.NICK_TAKEN, "'" + join.nick() + "' is already in " + name);
        }
        // live first, then the log up to where live begins: publishes wait for this lock, so the
        // member list and the position agree (this node's; another node's joins may cross them)
        FanOut.Attachment attachment = null;
        Replay replay;
        ChatEvent.Welcome welcome;
        try {
            List<ChatEvent.Member> members = roster.members(name);
            attachment = fanOut.attach(channel, receiver(member, join.nick()));
            Position at = attachment.position();
            replay = bus.replay(channel, join.since(), at, historyLimit);
            welcome = new ChatEvent.Welcome(join.nick(), name, members,
                    replay.events().stream().map(ChatRoom::message).toList(), at.epoch(), at.offset(), replay.recovered());
        } catch (RuntimeException e) {
            if (attachment != null) {
                attachment.close(); // a join that fails leaves nothing attached, nor its nick taken
            }
            roster.release(name, nickKey);
            throw e;
        }
        Entry entry = new Entry(member, join.nick(), join.presence(), join.status(), attachment);
        byKey.put(member.key(), entry);
        bus.publish(channel, new RoomEvent.Notice(new ChatEvent.PresenceChange(join.nick(), join.presence(),
                join.status()), join.nick()));
        return new Joined(this, attachment, welcome, replay.recovered());
    }

    /** A message to the whole room, sender included, kept in the room's log. */
    public synchronized ChatEvent.RoomMessage say(ChatMember member, String text) throws ChatException {
        Entry from = joined(member);
        notOverloaded();
        RoomEvent.Said said = new RoomEvent.Said(ids.next(), name, from.nick(), text, clock.getAsLong());
        return said.at(bus.publish(channel, said).offset());
    }

    /** A message to one member and back to the sender; never kept. */
    public synchronized void whisper(ChatMember member, String toNick, String text) throws ChatException {
        Entry from = joined(member);
        notOverloaded();
        ChatEvent.Member to = roster.find(name, Nicks.key(Nicks.lookup(toNick)));
        if (to == null) {
            throw new ChatException(ErrorCode.NO_SUCH_MEMBER, "no member '" + toNick + "' in " + name);
        }
        bus.publish(channel, new RoomEvent.Whispered(
                new ChatEvent.PrivateMessage(ids.next(), from.nick(), to.nick(), text, clock.getAsLong())));
    }

    /** A presence or status change, announced to everyone (the member included, as confirmation). */
    public synchronized void setPresence(ChatMember member, Presence presence, String status) throws ChatException {
        Entry entry = joined(member);
        notOverloaded();
        Entry changed = new Entry(entry.member(), entry.nick(), presence, status == null ? entry.status() : status,
                entry.attachment());
        roster.update(name, Nicks.key(entry.nick()), changed.view());
        byKey.put(member.key(), changed);
        bus.publish(channel, new RoomEvent.Notice(
                new ChatEvent.PresenceChange(changed.nick(), changed.presence(), changed.status()), null));
    }

    /** A typing hint, to everyone but the typist. */
    public synchronized void typing(ChatMember member) throws ChatException {
        Entry entry = joined(member);
        notOverloaded();
        bus.publish(channel, new RoomEvent.Notice(new ChatEvent.TypingHint(entry.nick()), entry.nick()));
    }

    /**
     * Removes a member (it left or its connection dropped) and tells the others it is unavailable.
     * Returns true when the room is now empty and retired (its log stays on its channel for
     * {@code recovery.ttl}, for members that come back).
     */
    synchronized boolean leave(ChatMember member) {
        Entry entry = byKey.remove(member.key());
        if (entry == null) {
            return false;
        }
        roster.release(name, Nicks.key(entry.nick()));
        entry.attachment().close();
        bus.publish(channel, new RoomEvent.Notice(
                new ChatEvent.PresenceChange(entry.nick(), Presence.UNAVAILABLE, entry.status()), null));
        if (byKey.isEmpty()) {
            retired = true;
        }
        return retired;
    }

    /** Everyone in the room (with {@code cluster=on}, on every node), in the order they joined. */
    public synchronized List<ChatEvent.Member> members() {
        return roster.members(name);
    }

    public synchronized int size() {
        return byKey.size();
    }

    /** The last {@code chat.history} room messages, oldest first. */
    List<ChatEvent.RoomMessage> history() {
        return bus.tail(channel, historyLimit, Long.MAX_VALUE).stream().map(ChatRoom::message).toList();
    }

    /** What members say waits while the room's fan-out is far behind (joins and leaves never do). */
    private void notOverloaded() throws ChatException {
        if (fanOut.overloaded(channel)) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "the room is busy delivering; try again in a moment");
        }
    }

    private Entry joined(ChatMember member) throws ChatException {
        Entry entry = byKey.get(member.key());
        if (entry == null) {
            throw new ChatException(ErrorCode.NOT_JOINED, "join the room first");
        }
        return entry;
    }

    private static ChatEvent.RoomMessage message(Sequenced said) {
        return ((RoomEvent.Said) said.event()).at(said.offset());
    }

    /** What one member gets of the room's events: encoded once per event for all members. */
    private FanOut.Receiver receiver(ChatMember member, String nick) {
        return delivery -> {
            RoomEvent event = (RoomEvent) delivery.event().event();
            boolean forThisMember = true;
            if (event instanceof RoomEvent.Notice notice) {
                forThisMember = !nick.equals(notice.exceptNick());
            } else if (event instanceof RoomEvent.Whispered whispered) {
                forThisMember = nick.equals(whispered.message().from()) || nick.equals(whispered.message().to());
            }
            if (forThisMember) {
                member.receive(delivery.encoded(EVENT, ChatRoom::event), delivery);
            }
        };
    }

    /** A room event as its JSON message, made once per event for every JSON member. */
    static Broadcast json(Delivery delivery) {
        return delivery.encoded(JSON, TO_JSON);
    }

    /** What a room's channel carries, as the event its members get (another protocol's edge encodes from it). */
    public static ChatEvent event(Sequenced sequenced) {
        RoomEvent event = (RoomEvent) sequenced.event();
        if (event instanceof RoomEvent.Said said) {
            return said.at(sequenced.offset());
        } else if (event instanceof RoomEvent.Notice notice) {
            return notice.event();
        }
        return ((RoomEvent.Whispered) event).message();
    }
}
