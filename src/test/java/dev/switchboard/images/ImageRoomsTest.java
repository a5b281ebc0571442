package dev.switchboard.images;

import dev.switchboard.bus.FanOut;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.LogBudget;
import dev.switchboard.bus.Retention;
import dev.switchboard.bus.TestBuses;
import dev.switchboard.connection.Broadcast;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image rooms on a bus whose logs keep what {@code images.*} says (the retention Switchboard gives them). */
class ImageRoomsTest {

    private final AtomicLong nanos = new AtomicLong();
    private LocalBus bus;

    private ImageRooms rooms(int perRoom, long totalBytes) {
        LogBudget shared = new LogBudget("images", totalBytes);
        Duration ttl = Duration.ofSeconds(60);
        bus = TestBuses.direct(new Retention(perRoom, totalBytes, ttl, perRoom, ttl, shared), nanos::get);
        FanOut fanOut = TestBuses.fanOut(bus);
        return new ImageRooms(bus, fanOut, perRoom, 1 << 20, () -> 7);
    }

    /** Enters as the endpoint does: welcome, history, start; returns the history and collects live images. */
    private static ImageRooms.Entered enter(ImageRooms rooms, String room, String key, String since, List<Broadcast> live) {
        ImageRooms.Entered entered = rooms.enter(room, key, since, live::add);
        entered.attachment().start();
        return entered;
    }

    private static byte[] bytesOf(Broadcast pair) {
        return ((Broadcast.Binary) pair.frames().get(1)).data();
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    private static JsonObject descriptionOf(Broadcast pair) {
        return json(((Broadcast.Text) pair.frames().get(0)).text());
    }

    @Test
    void imageGoesToEveryOtherMemberAsDescriptionThenBytesSharedNotCopied() {
        ImageRooms rooms = rooms(10, 1 << 20);
        List<Broadcast> sender = new ArrayList<>();
        List<Broadcast> other = new ArrayList<>();
        List<Broadcast> third = new ArrayList<>();
        enter(rooms, "r", "sender", null, sender);
        enter(rooms, "r", "other", null, other);
        enter(rooms, "r", "third", null, third);
        byte[] image = {1, 2, 3};
        String id = rooms.publish("r", "anonymous", ImageType.PNG, image, "sender");
        assertTrue(sender.isEmpty(), "never back to the sender");
        Broadcast pair = other.get(0);
        JsonObject description = descriptionOf(pair);
        assertEquals("image", description.getString("type"));
        assertEquals(id, description.getString("id"));
        assertEquals("image/png", description.getString("mime"));
        assertEquals(3, description.getInt("bytes"));
        assertEquals("anonymous", description.getString("from"));
        assertEquals(7, description.getInt("ts"));
        assertEquals(1, description.getInt("offset"));
        assertSame(image, bytesOf(pair), "one buffer for every receiver");
        assertSame(pair, third.get(0), "encoded once for every receiver");
    }

    @Test
    void newcomerGetsTheLastNImagesOldestFirst() {
        ImageRooms rooms = rooms(3, 1 << 20);
        enter(rooms, "r", "poster", null, new ArrayList<>());
        for (byte i = 1; i <= 5; i++) {
            rooms.publish("r", "a", ImageType.PNG, new byte[] {i}, "poster");
        }
        ImageRooms.Entered entered = enter(rooms, "r", "late", null, new ArrayList<>());
        assertEquals(3, entered.history().size());
        assertArrayEquals(new byte[] {3}, bytesOf(entered.history().get(0)));
        assertArrayEquals(new byte[] {5}, bytesOf(entered.history().get(2)));
        JsonObject welcome = json(entered.welcome());
        assertEquals(3, welcome.getInt("history"));
        assertEquals(5, welcome.getInt("offset"));
        assertFalse(welcome.containsKey("recovered"));
    }

    @Test
    void sinceGivesExactlyTheImagesAfterItWhileTheRoomHoldsThem() {
        ImageRooms rooms = rooms(3, 1 << 20);
        ImageRooms.Entered first = enter(rooms, "r", "poster", null, new ArrayList<>());
        String epoch = json(first.welcome()).getString("epoch");
        for (byte i = 1; i <= 4; i++) {
            rooms.publish("r", "a", ImageType.PNG, new byte[] {i}, "poster");
        }
        ImageRooms.Entered back = enter(rooms, "r", "back", epoch + ":2", new ArrayList<>());
        assertEquals(Boolean.TRUE, back.recovered());
        assertEquals(List.of(3, 4), back.history().stream().map(p -> (int) bytesOf(p)[0]).toList());
        assertEquals(2, json(back.welcome()).getInt("history"));
        assertTrue(json(back.welcome()).getBoolean("recovered"));

        ImageRooms.Entered tooOld = enter(rooms, "r", "old", epoch + ":0", new ArrayList<>());
        assertEquals(Boolean.FALSE, tooOld.recovered(), "image 1 is gone: the usual history instead");
        assertEquals(3, tooOld.history().size());
        assertEquals(Boolean.FALSE, enter(rooms, "r", "x", "other:3", new ArrayList<>()).recovered());
        assertEquals(Boolean.FALSE, enter(rooms, "r", "y", "garbage", new ArrayList<>()).recovered());
    }

    @Test
    void totalBytesAcrossRoomsIsCappedOldestFirst() {
        ImageRooms rooms = rooms(10, 2 * (100 + 128) + 50);
        enter(rooms, "a", "k", null, new ArrayList<>());
        enter(rooms, "b", "k", null, new ArrayList<>());
        rooms.publish("a", "x", ImageType.PNG, new byte[100], "k");
        nanos.incrementAndGet();
        rooms.publish("b", "x", ImageType.PNG, new byte[100], "k");
        nanos.incrementAndGet();
        rooms.publish("a", "x", ImageType.PNG, new byte[100], "k");
        assertEquals(1, enter(rooms, "a", "n", null, new ArrayList<>()).history().size(), "room a lost its oldest image");
        assertEquals(1, enter(rooms, "b", "n", null, new ArrayList<>()).history().size());
    }

    @Test
    void historyOfAnAbandonedRoomIsForgottenAfterTheTtl() {
        ImageRooms rooms = rooms(10, 1 << 20);
        ImageRooms.Entered member = enter(rooms, "r", "m", null, new ArrayList<>());
        rooms.publish("r", "x", ImageType.PNG, new byte[10], "m");
        member.attachment().close();
        nanos.addAndGet(59_000_000_000L);
        bus.sweep();
        assertTrue(bus.exists(ImageRooms.channel("r")), "kept while the ttl runs");
        nanos.addAndGet(2_000_000_000L);
        bus.sweep();
        assertFalse(bus.exists(ImageRooms.channel("r")));
        assertEquals(0, enter(rooms, "r", "n", null, new ArrayList<>()).history().size());
    }

    @Test
    void roomWithMembersKeepsItsHistory() {
        ImageRooms rooms = rooms(10, 1 << 20);
        enter(rooms, "r", "m", null, new ArrayList<>());
        rooms.publish("r", "x", ImageType.PNG, new byte[10], "m");
        nanos.addAndGet(3_600_000_000_000L);
        bus.sweep();
        assertEquals(1, enter(rooms, "r", "n", null, new ArrayList<>()).history().size());
    }

    @Test
    void zeroHistoryKeepsNothing() {
        ImageRooms rooms = rooms(0, 1 << 20);
        enter(rooms, "r", "m", null, new ArrayList<>());
        rooms.publish("r", "x", ImageType.PNG, new byte[10], "m");
        assertEquals(0, enter(rooms, "r", "n", null, new ArrayList<>()).history().size());
    }
}
