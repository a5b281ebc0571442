package dev.switchboard.images;

import dev.switchboard.bus.LocalBus;
import dev.switchboard.connection.Broadcast;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRoomsTest {

    private final AtomicLong nanos = new AtomicLong();
    private final LocalBus bus = new LocalBus();

    private ImageRooms rooms(int perRoom, long totalBytes) {
        return new ImageRooms(bus, perRoom, totalBytes, 60_000_000_000L, nanos::get, () -> 7, new SimpleMeterRegistry());
    }

    private static List<Broadcast> replayOf(ImageRooms rooms, String room, List<Broadcast> live) {
        List<Broadcast> replay = new ArrayList<>();
        rooms.enter(room, "k" + System.nanoTime(), live::add, replay::addAll);
        return replay;
    }

    private static byte[] bytesOf(Broadcast pair) {
        return ((Broadcast.Binary) pair.frames().get(1)).data();
    }

    @Test
    void imageGoesToEveryOtherMemberAsDescriptionThenBytesSharedNotCopied() {
        ImageRooms rooms = rooms(10, 1 << 20);
        List<Broadcast> sender = new ArrayList<>();
        List<Broadcast> other = new ArrayList<>();
        rooms.enter("r", "sender", sender::add, h -> { });
        rooms.enter("r", "other", other::add, h -> { });
        byte[] image = {1, 2, 3};
        String id = rooms.publish("r", "anonymous", ImageType.PNG, image, "sender");
        assertTrue(sender.isEmpty(), "never back to the sender");
        Broadcast pair = other.get(0);
        String description = ((Broadcast.Text) pair.frames().get(0)).text();
        assertTrue(description.contains("\"type\":\"image\"") && description.contains("\"id\":\"" + id + "\"")
                && description.contains("\"mime\":\"image/png\"") && description.contains("\"bytes\":3")
                && description.contains("\"from\":\"anonymous\"") && description.contains("\"ts\":7"), description);
        assertSame(image, bytesOf(pair), "one buffer for every receiver");
    }

    @Test
    void newcomerGetsTheLastNImagesOldestFirst() {
        ImageRooms rooms = rooms(3, 1 << 20);
        for (byte i = 1; i <= 5; i++) {
            rooms.publish("r", "a", ImageType.PNG, new byte[] {i}, "x");
        }
        List<Broadcast> replay = replayOf(rooms, "r", new ArrayList<>());
        assertEquals(3, replay.size());
        assertArrayEquals(new byte[] {3}, bytesOf(replay.get(0)));
        assertArrayEquals(new byte[] {5}, bytesOf(replay.get(2)));
    }

    @Test
    void totalBytesAcrossRoomsIsCappedOldestFirst() {
        ImageRooms rooms = rooms(10, 250);
        rooms.publish("a", "x", ImageType.PNG, new byte[100], "k");
        rooms.publish("b", "x", ImageType.PNG, new byte[100], "k");
        rooms.publish("a", "x", ImageType.PNG, new byte[100], "k");
        assertEquals(200, rooms.totalBytes());
        assertEquals(1, replayOf(rooms, "a", new ArrayList<>()).size(), "room a lost its oldest image");
        assertEquals(1, replayOf(rooms, "b", new ArrayList<>()).size());
    }

    @Test
    void historyOfAnAbandonedRoomIsForgottenAfterTheTtl() {
        ImageRooms rooms = rooms(10, 1 << 20);
        ImageRooms.Entry member = rooms.enter("r", "m", b -> { }, h -> { });
        rooms.publish("r", "x", ImageType.PNG, new byte[10], "m");
        rooms.leave("r", member);
        nanos.addAndGet(59_000_000_000L);
        rooms.enter("other", "o", b -> { }, h -> { });
        assertEquals(1, rooms.storedImages(), "kept while the ttl runs");
        nanos.addAndGet(2_000_000_000L);
        rooms.enter("elsewhere", "n", b -> { }, h -> { });
        assertEquals(0, rooms.storedImages());
        assertEquals(0, rooms.totalBytes());
        assertEquals(0, bus.subscribers("images/r"));
    }

    @Test
    void roomWithMembersKeepsItsHistory() {
        ImageRooms rooms = rooms(10, 1 << 20);
        rooms.enter("r", "m", b -> { }, h -> { });
        rooms.publish("r", "x", ImageType.PNG, new byte[10], "m");
        nanos.addAndGet(3_600_000_000_000L);
        rooms.enter("elsewhere", "n", b -> { }, h -> { });
        assertEquals(1, rooms.storedImages());
    }

    @Test
    void zeroHistoryKeepsNothing() {
        ImageRooms rooms = rooms(0, 1 << 20);
        rooms.publish("r", "x", ImageType.PNG, new byte[10], "m");
        assertEquals(0, rooms.storedImages());
    }
}
