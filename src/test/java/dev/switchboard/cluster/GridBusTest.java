package dev.switchboard.cluster;

import dev.switchboard.bus.ChannelEvent;
import dev.switchboard.bus.EventBytes;
import dev.switchboard.bus.EventCodec;
import dev.switchboard.bus.LocalBus;
import dev.switchboard.bus.LogBudget;
import dev.switchboard.bus.LogRead;
import dev.switchboard.bus.Position;
import dev.switchboard.bus.Retention;
import dev.switchboard.bus.Sequenced;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.testing.Await;
import dev.switchboard.testing.GridNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bus on a real two-member Hazelcast grid in this JVM: one order, one log, one epoch on both nodes. */
class GridBusTest {

    /** A test event: text, whether the channel keeps it, and an optional large part. */
    record Note(String text, boolean retained, byte[] attachment) implements ChannelEvent {
        @Override
        public long bytes() {
            return text.length();
        }
    }

    static final EventCodec NOTES = new EventCodec() {
        @Override
        public Encoded encode(ChannelEvent event) {
            Note note = (Note) event;
            return new Encoded(new EventBytes.Writer().string(note.text()).flag(note.retained()).bytes(), note.attachment());
        }

        @Override
        public ChannelEvent decode(byte[] head, byte[] body) {
            EventBytes.Reader in = new EventBytes.Reader(head);
            return new Note(in.string(), in.flag(), body);
        }
    };

    private static final LogBudget BUDGET = new LogBudget("test", 64L << 20);
    private static final Function<String, Retention> RETENTION =
            prefix -> new Retention(100, 16L << 20, Duration.ofMinutes(1), 10, Duration.ofMinutes(1), BUDGET);

    private static ExecutorService pool;
    private static ScheduledExecutorService timers;
    private static Grid gridA;
    private static Grid gridB;
    private static GridBus a;
    private static GridBus b;

    @BeforeAll
    static void startTwoMembers() throws Exception {
        pool = Executors.newFixedThreadPool(4);
        timers = Executors.newSingleThreadScheduledExecutor();
        int portA = GridNodes.freePort();
        int portB = GridNodes.freePort();
        String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
        String name = "grid-bus-test-" + ProcessHandle.current().pid();
        CompletableFuture<Grid> startA = CompletableFuture.supplyAsync(() -> Grid.embedded(config(name, portA, members)));
        CompletableFuture<Grid> startB = CompletableFuture.supplyAsync(() -> Grid.embedded(config(name, portB, members)));
        gridA = startA.get();
        gridB = startB.get();
        Await.until("both members in one grid", Duration.ofSeconds(60), () -> gridA.members() == 2 && gridB.members() == 2);
        a = bus(gridA);
        b = bus(gridB);
    }

    private static SwitchboardConfig config(String name, int port, String members) {
        return SwitchboardConfig.of(Map.of("cluster", "on", "cluster.name", name, "cluster.port", Integer.toString(port),
                "cluster.members", members, "host", "127.0.0.1"));
    }

    private static GridBus bus(Grid grid) {
        return new GridBus(grid, List.of(new GridBus.Kind("t:", NOTES)), RETENTION, 16L << 20, Duration.ofMinutes(1),
                new LocalBus(RETENTION, pool, null, 0, System::nanoTime), pool, timers, 1000, System::nanoTime);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable each : new AutoCloseable[] {a, b, gridA, gridB}) {
            try {
                if (each != null) {
                    each.close();
                }
            } catch (Exception ignored) {
                // the rest still stops
            }
        }
        pool.shutdownNow();
        timers.shutdownNow();
    }


    private static Note note(String text) {
        return new Note(text, true, null);
    }

    @Test
    void publishersOnBothNodesGiveEveryNodeOneOrderAndContiguousOffsets() throws Exception {
        List<Sequenced> onA = Collections.synchronizedList(new ArrayList<>());
        List<Sequenced> onB = Collections.synchronizedList(new ArrayList<>());
        try (var subA = a.subscribe("t:order", onA::add); var subB = b.subscribe("t:order", onB::add)) {
            long start = a.position("t:order").offset();
            CompletableFuture<Void> fromA = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 200; i++) {
                    a.publish("t:order", note("a" + i));
                }
            });
            CompletableFuture<Void> fromB = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 200; i++) {
                    b.publish("t:order", note("b" + i));
                }
            });
            CompletableFuture.allOf(fromA, fromB).get();
            Await.until("400 events on each node", Duration.ofSeconds(30), () -> onA.size() == 400 && onB.size() == 400);
            List<String> orderA = onA.stream().map(s -> ((Note) s.event()).text() + "@" + s.offset()).toList();
            List<String> orderB = onB.stream().map(s -> ((Note) s.event()).text() + "@" + s.offset()).toList();
            assertEquals(orderA, orderB, "one order on both nodes");
            for (int i = 0; i < 400; i++) {
                assertEquals(start + i + 1, onA.get(i).offset(), "offsets +1 per retained event");
                assertEquals(onA.get(0).epoch(), onB.get(i).epoch());
            }
        }
    }

    @Test
    void everyNodeReadsTheSameLogForHistoryAndRecovery() {
        try (var subA = a.subscribe("t:log", s -> { })) {
            for (int i = 1; i <= 5; i++) {
                a.publish("t:log", note("m" + i));
            }
            Position there = a.position("t:log");
            Position here = b.position("t:log");
            assertEquals(there.epoch(), here.epoch(), "one epoch for the channel on every node");
            LogRead missed = b.read("t:log", here.epoch(), 2, 5);
            assertTrue(missed.complete());
            assertEquals(List.of("m3", "m4", "m5"), missed.events().stream().map(s -> ((Note) s.event()).text()).toList());
            assertEquals(List.of(3L, 4L, 5L), missed.events().stream().map(Sequenced::offset).toList());
            assertEquals(List.of("m4", "m5"), b.tail("t:log", 2, Long.MAX_VALUE).stream()
                    .map(s -> ((Note) s.event()).text()).toList());
            assertFalse(b.read("t:log", "another-epoch", 2, 5).complete(), "another epoch recovers nothing");
        }
    }

    @Test
    void anUnretainedEventFollowsTheMessagesItsSenderHadSeen() {
        List<String> onB = Collections.synchronizedList(new ArrayList<>());
        try (var subA = a.subscribe("t:side", s -> { });
             var subB = b.subscribe("t:side", s -> onB.add(((Note) s.event()).text() + "@" + s.offset()))) {
            long start = a.position("t:side").offset();
            for (int i = 0; i < 20; i++) {
                a.publish("t:side", note("said" + i));
                a.publish("t:side", new Note("typing" + i, false, null));
            }
            Await.until("40 events on the other node", Duration.ofSeconds(30), () -> onB.size() == 40);
            for (int i = 0; i < 20; i++) {
                // a notice comes after every message its sender had seen (a later message may overtake it)
                int said = onB.indexOf("said" + i + "@" + (start + i + 1));
                String prefix = "typing" + i + "@";
                int typing = -1;
                for (int j = 0; j < onB.size(); j++) {
                    if (onB.get(j).startsWith(prefix)) {
                        typing = j;
                    }
                }
                assertTrue(said >= 0 && typing > said, "typing" + i + " after said" + i + ": " + onB);
                assertTrue(Long.parseLong(onB.get(typing).substring(prefix.length())) >= start + i + 1,
                        "numbered after the message before it");
            }
        }
    }

    @Test
    void aLargePartTravelsBesideTheLog() {
        byte[] image = new byte[3 << 20];
        Arrays.fill(image, (byte) 7);
        image[image.length - 1] = 9;
        List<Sequenced> onB = Collections.synchronizedList(new ArrayList<>());
        try (var subB = b.subscribe("t:images", onB::add)) {
            a.publish("t:images", new Note("picture", true, image));
            Await.until("the image on the other node", Duration.ofSeconds(30), () -> onB.size() == 1);
            assertArrayEquals(image, ((Note) onB.get(0).event()).attachment());
            assertArrayEquals(image, ((Note) b.tail("t:images", 1, Long.MAX_VALUE).get(0).event()).attachment(),
                    "and in its history");
        }
    }

    @Test
    void aLostLogStartsANewEpochOnEveryNodeAndTheOldOneRecoversNothing() {
        List<Sequenced> onA = Collections.synchronizedList(new ArrayList<>());
        List<Sequenced> onB = Collections.synchronizedList(new ArrayList<>());
        try (var subA = a.subscribe("t:lost", onA::add); var subB = b.subscribe("t:lost", onB::add)) {
            for (int i = 1; i <= 3; i++) {
                a.publish("t:lost", note("before" + i));
            }
            Await.until("three on each node", Duration.ofSeconds(30), () -> onA.size() == 3 && onB.size() == 3);
            String before = onB.get(2).epoch();
            long offset = onB.get(2).offset();
            // what the loss of a partition's owner and backup leaves: no log, no epoch entry
            gridA.instance().getMap(GridBus.EPOCHS).remove("t:lost@t:lost");
            gridA.instance().getRingbuffer(GridBus.LOG_PREFIX + "t:lost@t:lost").destroy();
            int partition = gridA.instance().getPartitionService().getPartition("t:lost").getPartitionId();
            a.partitionLost(partition); // what Hazelcast's partition-lost event says on every member
            b.partitionLost(partition);
            Await.until("a new epoch on both nodes", Duration.ofSeconds(30),
                    () -> !a.position("t:lost").epoch().equals(before) && !b.position("t:lost").epoch().equals(before));
            assertEquals(a.position("t:lost").epoch(), b.position("t:lost").epoch(), "the same new epoch everywhere");
            a.publish("t:lost", note("after"));
            Await.until("the next event on the other node", Duration.ofSeconds(30), () -> onB.size() == 4);
            Sequenced after = onB.get(3);
            assertEquals("after", ((Note) after.event()).text());
            assertEquals(1, after.offset(), "numbered from the new log's start");
            assertTrue(!after.epoch().equals(before), "under the new epoch");
            assertFalse(b.read("t:lost", before, offset - 1, offset).complete(), "the old epoch recovers nothing");
        }
    }

    @Test
    void aPublishToAChannelNobodyIsAttachedToAnywhereMakesNothingInTheGrid() {
        for (int i = 0; i < 50; i++) {
            assertEquals(null, a.publish("t:made-up-" + i, note("into the void")));
        }
        assertTrue(gridA.instance().getDistributedObjects().stream()
                .noneMatch(o -> o.getName().contains("t:made-up-")), "no log made for any of them");
        List<Sequenced> onB = Collections.synchronizedList(new ArrayList<>());
        try (var subB = b.subscribe("t:someone", onB::add)) {
            assertTrue(a.publish("t:someone", note("heard")) != null, "a receiver on another node is someone");
            Await.until("the event on the other node", Duration.ofSeconds(30), () -> onB.size() == 1);
        }
    }

    @Test
    void aChannelWithoutACodecStaysOnItsNode() {
        List<Sequenced> onA = Collections.synchronizedList(new ArrayList<>());
        List<Sequenced> onB = Collections.synchronizedList(new ArrayList<>());
        try (var subA = a.subscribe("ticker", onA::add); var subB = b.subscribe("ticker", onB::add)) {
            a.publish("ticker", note("local"));
            Await.until("the event on its own node", () -> onA.size() == 1);
            b.publish("ticker", note("other"));
            Await.until("the other node's own event", () -> onB.size() == 1);
            assertEquals("other", ((Note) onB.get(0).event()).text(), "nothing crossed");
            assertEquals(1, onA.size());
        }
    }
}
