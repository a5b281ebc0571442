package dev.switchboard.chat;

import dev.switchboard.connection.ErrorCode;
import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.TestBuses;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.connection.Broadcast;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The room core on its own: no WebSocket, members are plain objects collecting what they get. */
class ChatRoomTest {

    private static final class Inbox implements ChatMember {
        private final String key;
        final ConcurrentLinkedQueue<JsonObject> received = new ConcurrentLinkedQueue<>();

        Inbox(String key) {
            this.key = key;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public void send(Broadcast message) {
            for (Broadcast.Frame frame : message.frames()) {
                received.add(Json.createReader(new StringReader(((Broadcast.Text) frame).text())).readObject());
            }
        }

        List<JsonObject> ofType(String type) {
            return received.stream().filter(o -> o.getString("type").equals(type)).toList();
        }

        JsonObject last() {
            List<JsonObject> all = new ArrayList<>(received);
            return all.get(all.size() - 1);
        }
    }

    private final AtomicLong clock = new AtomicLong(1000);
    private final LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
    private final FanOut fanOut = TestBuses.fanOut(bus);
    private final Rooms rooms = new Rooms(new ChatRooms(bus, fanOut, 3, clock::get,
            new SimpleMeterRegistry()));

    /** The rooms as the endpoint uses them: join, send the welcome, start. */
    private record Rooms(ChatRooms rooms) {
        ChatRoom join(String room, ChatMember member, ChatCommand.Join join) throws ChatException {
            ChatRoom.Joined joined = rooms.join(room, member, join);
            member.send(joined.welcomeJson());
            joined.attachment().start();
            return joined.room();
        }

        void leave(ChatRoom room, ChatMember member) {
            rooms.leave(room, member);
        }

        ChatRoom room(String name) {
            return rooms.room(name);
        }
    }

    private static ChatCommand.Join join(String nick) {
        return new ChatCommand.Join(nick, Presence.AVAILABLE, "");
    }

    @Test
    void joinerIsWelcomedWithEveryMemberIncludingItself() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        rooms.join("lobby", alice, new ChatCommand.Join("alice", Presence.AWAY, "lunch"));
        rooms.join("lobby", bob, join("bob"));
        JsonObject welcome = bob.ofType("welcome").get(0);
        assertEquals("bob", welcome.getString("nick"));
        assertEquals("lobby", welcome.getString("room"));
        assertEquals(2, welcome.getJsonArray("members").size());
        assertEquals("alice", welcome.getJsonArray("members").getJsonObject(0).getString("nick"));
        assertEquals("away", welcome.getJsonArray("members").getJsonObject(0).getString("presence"));
        assertEquals("lunch", welcome.getJsonArray("members").getJsonObject(0).getString("status"));
        assertEquals("bob", welcome.getJsonArray("members").getJsonObject(1).getString("nick"));
    }

    @Test
    void othersSeeTheJoinAsPresenceButTheJoinerDoesNot() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        rooms.join("lobby", alice, join("alice"));
        rooms.join("lobby", bob, new ChatCommand.Join("bob", Presence.DND, "focus"));
        JsonObject presence = alice.ofType("presence").get(0);
        assertEquals("bob", presence.getString("nick"));
        assertEquals("dnd", presence.getString("presence"));
        assertEquals("focus", presence.getString("status"));
        assertTrue(bob.ofType("presence").isEmpty());
    }

    @Test
    void nickIsUniquePerRoomIgnoringCaseButFreeInOtherRooms() throws Exception {
        rooms.join("lobby", new Inbox("a"), join("Alice"));
        ChatException taken = assertThrows(ChatException.class, () -> rooms.join("lobby", new Inbox("b"), join("alice")));
        assertEquals(ErrorCode.NICK_TAKEN, taken.error());
        rooms.join("other", new Inbox("c"), join("alice"));
    }

    @Test
    void messageGoesToEveryMemberWithTheSameIdAndIsKept() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        ChatRoom room = rooms.join("lobby", alice, join("alice"));
        rooms.join("lobby", bob, join("bob"));
        clock.set(4242);
        room.say(alice, "hi <b>all</b>");
        JsonObject toAlice = alice.ofType("message").get(0);
        JsonObject toBob = bob.ofType("message").get(0);
        assertEquals(toAlice, toBob);
        assertEquals("alice", toBob.getString("from"));
        assertEquals("lobby", toBob.getString("room"));
        assertEquals("hi <b>all</b>", toBob.getString("text"));
        assertEquals(4242, toBob.getJsonNumber("ts").longValue());
        assertEquals(1, room.history().size());
    }

    @Test
    void historyKeepsTheLastMessagesOldestFirstAndNoPrivateOnes() throws Exception {
        Inbox alice = new Inbox("a");
        ChatRoom room = rooms.join("lobby", alice, join("alice"));
        for (int i = 1; i <= 5; i++) {
            room.say(alice, "m" + i);
        }
        room.whisper(alice, "alice", "secret");
        Inbox late = new Inbox("late");
        rooms.join("lobby", late, join("late"));
        List<String> history = late.ofType("welcome").get(0).getJsonArray("history").stream()
                .map(v -> v.asJsonObject().getString("text")).toList();
        assertEquals(List.of("m3", "m4", "m5"), history);
    }

    @Test
    void privateMessageReachesOnlyTheAddresseeAndTheSender() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        Inbox carol = new Inbox("c");
        ChatRoom room = rooms.join("lobby", alice, join("alice"));
        rooms.join("lobby", bob, join("bob"));
        rooms.join("lobby", carol, join("carol"));
        room.whisper(alice, "BOB", "psst");
        assertEquals(bob.ofType("private"), alice.ofType("private"));
        JsonObject whisper = bob.ofType("private").get(0);
        assertEquals("alice", whisper.getString("from"));
        assertEquals("bob", whisper.getString("to"));
        assertTrue(carol.ofType("private").isEmpty());
    }

    @Test
    void privateMessageToAStrangerIsNoSuchMember() throws Exception {
        Inbox alice = new Inbox("a");
        ChatRoom room = rooms.join("lobby", alice, join("alice"));
        assertEquals(ErrorCode.NO_SUCH_MEMBER, assertThrows(ChatException.class, () -> room.whisper(alice, "zed", "hi")).error());
    }

    @Test
    void presenceChangeIsAnnouncedToAllAndKeepsStatusWhenNotGiven() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        ChatRoom room = rooms.join("lobby", alice, new ChatCommand.Join("alice", Presence.AVAILABLE, "here"));
        rooms.join("lobby", bob, join("bob"));
        room.setPresence(alice, Presence.AWAY, null);
        assertEquals("away", bob.last().getString("presence"));
        assertEquals("here", bob.last().getString("status"));
        assertEquals("away", alice.last().getString("presence"));
        assertEquals(Presence.AWAY, room.members().get(0).presence());
    }

    @Test
    void typingReachesEveryoneButTheTypist() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        ChatRoom room = rooms.join("lobby", alice, join("alice"));
        rooms.join("lobby", bob, join("bob"));
        room.typing(alice);
        assertEquals("alice", bob.ofType("typing").get(0).getString("nick"));
        assertTrue(alice.ofType("typing").isEmpty());
    }

    @Test
    void leaveIsAnnouncedAsUnavailableAndTheEmptyRoomGoes() throws Exception {
        Inbox alice = new Inbox("a");
        Inbox bob = new Inbox("b");
        ChatRoom room = rooms.join("lobby", alice, new ChatCommand.Join("alice", Presence.AVAILABLE, "s"));
        rooms.join("lobby", bob, join("bob"));
        rooms.leave(room, alice);
        assertEquals("unavailable", bob.last().getString("presence"));
        assertEquals("alice", bob.last().getString("nick"));
        room.say(bob, "anyone?");
        assertTrue(alice.ofType("message").isEmpty(), "a member that left gets nothing more");
        rooms.leave(room, bob);
        assertNull(rooms.room("lobby"));
        assertEquals(0, fanOut.receivers(ChatRooms.channel("lobby")));
        Inbox carol = new Inbox("c");
        rooms.join("lobby", carol, join("alice"));
        assertEquals(List.of("anyone?"), carol.ofType("welcome").get(0).getJsonArray("history").stream()
                .map(v -> v.asJsonObject().getString("text")).toList(),
                "the log outlives the empty room for recovery.ttl, for members who come back");
    }

    @Test
    void nonMemberCannotSpeak() {
        Inbox alice = new Inbox("a");
        ChatRoom room = new ChatRoom("r", bus, fanOut, 1, clock::get, new MessageIds(), Roster.local());
        assertEquals(ErrorCode.NOT_JOINED, assertThrows(ChatException.class, () -> room.say(alice, "hi")).error());
        assertFalse(room.leave(alice));
    }

    /**
     * Many members join, talk and leave at once. Each member that stays sees every other member's
     * arrival at most once and a departure only after it, never a duplicate, and every message once.
     */
    @Test
    void concurrentJoinsLeavesAndMessagesLoseAndDuplicateNothing() throws Exception {
        int threads = 8;
        int perThread = 40;
        List<Inbox> stayers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Inbox stayer = new Inbox("stay" + i);
            rooms.join("busy", stayer, join("stay" + i));
            stayers.add(stayer);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            work.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    Inbox visitor = new Inbox("v" + thread + "-" + i);
                    ChatRoom room = rooms.join("busy", visitor, join("v" + thread + "-" + i));
                    room.say(visitor, "hello from " + visitor.key());
                    rooms.leave(room, visitor);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int visitors = threads * perThread;
        for (Inbox stayer : stayers) {
            Map<String, List<String>> presenceByNick = new HashMap<>();
            Set<String> messageIds = new HashSet<>();
            int messages = 0;
            for (JsonObject event : stayer.received) {
                switch (event.getString("type")) {
                    case "presence" -> presenceByNick.computeIfAbsent(event.getString("nick"), n -> new ArrayList<>())
                            .add(event.getString("presence"));
                    case "message" -> {
                        messages++;
                        messageIds.add(event.getString("id"));
                    }
                    default -> {
                    }
                }
            }
            int visitorsSeen = 0;
            for (Map.Entry<String, List<String>> e : presenceByNick.entrySet()) {
                if (e.getKey().startsWith("v")) {
                    assertEquals(List.of("available", "unavailable"), e.getValue(), "presence of " + e.getKey());
                    visitorsSeen++;
                }
            }
            int stayerIndex = Integer.parseInt(stayer.key().substring(4));
            assertEquals(visitors, visitorsSeen, "every visitor came and went once, seen by " + stayer.key());
            assertEquals(visitors, messages, "every message arrived once at " + stayer.key());
            assertEquals(visitors, messageIds.size(), "ids are unique");
            assertTrue(stayerIndex >= 0);
        }
        assertEquals(4, rooms.room("busy").size());
        assertEquals(Collections.nCopies(4, Presence.AVAILABLE),
                rooms.room("busy").members().stream().map(ChatEvent.Member::presence).toList());
    }

    @Test
    void whileTheRoomsFanOutIsFarBehindMembersAreAskedToWaitButComeAndGoFreely() throws Exception {
        java.util.ArrayDeque<Runnable> held = new java.util.ArrayDeque<>();
        LocalBus slow = new LocalBus(n -> TestBuses.KEEP_100, held::add, null, 0, System::nanoTime);
        FanOut behind = new FanOut(slow, held::add, 2, 4); // alice's arrival and three messages
        ChatRooms busy = new ChatRooms(slow, behind, 3, clock::get, new SimpleMeterRegistry());
        Inbox alice = new Inbox("a");
        ChatRoom.Joined joined = busy.join("r", alice, join("alice"));
        ChatRoom room = joined.room();
        room.say(alice, "one");
        room.say(alice, "two");
        room.say(alice, "three");
        ChatException wait = assertThrows(ChatException.class, () -> room.say(alice, "four"));
        assertEquals(ErrorCode.RATE_LIMITED, wait.error());
        assertEquals(ErrorCode.RATE_LIMITED, assertThrows(ChatException.class, () -> room.typing(alice)).error());
        busy.join("r", new Inbox("b"), join("bob")); // joins and leaves are never refused
        while (!held.isEmpty()) {
            held.poll().run();
        }
        room.say(alice, "four");
    }
}
