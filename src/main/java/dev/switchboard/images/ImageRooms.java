package dev.switchboard.images;

import dev.switchboard.bus.MessageBus;
import dev.switchboard.bus.MessageIds;
import dev.switchboard.connection.Broadcast;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Image drop's rooms and their history. History is bounded three ways: {@code images.history}
 * images per room, {@code images.history-bytes} across all rooms (the oldest image anywhere goes
 * first), and a room nobody has been in for {@code images.empty-room-ttl} is forgotten. Entering a
 * room and publishing to it share one lock, so a newcomer gets each image exactly once — in its
 * history or live — and history always before live.
 */
public final class ImageRooms {

    /** A stored image, its two frames (description, then bytes) encoded once for every receiver. */
    record StoredImage(String room, String id, int bytes, Broadcast frames) {
    }

    /** A member's place in a room: its live subscription. */
    public record Entry(MessageBus.Subscription subscription) {
    }

    private final MessageBus bus;
    private final int perRoom;
    private final long totalBytesCap;
    private final long emptyRoomTtlNanos;
    private final LongSupplier nanoTime;
    private final LongSupplier clock;
    private final MessageIds ids = new MessageIds();

    private final Map<String, ArrayDeque<StoredImage>> history = new HashMap<>();
    private final ArrayDeque<StoredImage> oldestFirst = new ArrayDeque<>();
    private final Map<String, Integer> members = new HashMap<>();
    private final Map<String, Long> emptySince = new HashMap<>();
    private long totalBytes;

    public ImageRooms(MessageBus bus, int perRoom, long totalBytesCap, long emptyRoomTtlNanos, LongSupplier nanoTime,
                      LongSupplier clock, MeterRegistry registry) {
        this.bus = bus;
        this.perRoom = perRoom;
        this.totalBytesCap = totalBytesCap;
        this.emptyRoomTtlNanos = emptyRoomTtlNanos;
        this.nanoTime = nanoTime;
        this.clock = clock;
        Gauge.builder("switchboard.images.history.bytes", this, ImageRooms::totalBytes)
                .description("Bytes of images kept as history, all rooms").baseUnit("bytes").register(registry);
        Gauge.builder("switchboard.images.history.images", this, ImageRooms::storedImages)
                .description("Images kept as history, all rooms").register(registry);
    }

    /**
     * A member enters: {@code replay} gets the room's history, oldest first, then {@code listener}
     * gets every later image — both under the room lock, so nothing is missed or seen twice.
     */
    public synchronized Entry enter(String room, String memberKey, Consumer<Broadcast> listener,
                                    Consumer<List<Broadcast>> replay) {
        forgetAbandonedRooms();
        members.merge(room, 1, Integer::sum);
        emptySince.remove(room);
        List<Broadcast> images = new ArrayList<>();
        for (StoredImage image : history.getOrDefault(room, new ArrayDeque<>())) {
            images.add(image.frames());
        }
        replay.accept(images);
        return new Entry(bus.subscribe(channel(room), memberKey, listener));
    }

    public synchronized void leave(String room, Entry entry) {
        entry.subscription().close();
        if (members.merge(room, -1, Integer::sum) <= 0) {
            members.remove(room);
            emptySince.put(room, nanoTime.getAsLong());
        }
        forgetAbandonedRooms();
    }

    /** Stores an accepted image and sends it to every other member; returns its id. */
    public synchronized String publish(String room, String from, ImageType type, byte[] bytes, String senderKey) {
        String id = ids.next();
        Broadcast frames = new Broadcast(List.of(
                Broadcast.Text.of(ImageMessages.image(id, from, type, bytes.length, clock.getAsLong())),
                new Broadcast.Binary(bytes)), senderKey);
        bus.publish(channel(room), frames);
        store(new StoredImage(room, id, bytes.length, new Broadcast(frames.frames(), null)));
        return id;
    }

    private void store(StoredImage image) {
        if (perRoom == 0) {
            return;
        }
        ArrayDeque<StoredImage> room = history.computeIfAbsent(image.room(), r -> new ArrayDeque<>());
        room.addLast(image);
        oldestFirst.addLast(image);
        totalBytes += image.bytes();
        while (room.size() > perRoom) {
            StoredImage dropped = room.removeFirst();
            oldestFirst.remove(dropped);
            totalBytes -= dropped.bytes();
        }
        while (totalBytes > totalBytesCap && !oldestFirst.isEmpty()) {
            StoredImage dropped = oldestFirst.removeFirst();
            ArrayDeque<StoredImage> itsRoom = history.get(dropped.room());
            itsRoom.remove(dropped);
            if (itsRoom.isEmpty()) {
                history.remove(dropped.room());
            }
            totalBytes -= dropped.bytes();
        }
    }

    private void forgetAbandonedRooms() {
        long now = nanoTime.getAsLong();
        for (Iterator<Map.Entry<String, Long>> it = emptySince.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> empty = it.next();
            if (now - empty.getValue() >= emptyRoomTtlNanos) {
                it.remove();
                ArrayDeque<StoredImage> dropped = history.remove(empty.getKey());
                if (dropped != null) {
                    for (StoredImage image : dropped) {
                        oldestFirst.remove(image);
                        totalBytes -= image.bytes();
                    }
                }
            }
        }
    }

    public synchronized long totalBytes() {
        return totalBytes;
    }

    public synchronized int storedImages() {
        return oldestFirst.size();
    }

    private static String channel(String room) {
        return "images/" + room;
    }
}
