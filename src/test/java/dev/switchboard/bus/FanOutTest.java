package dev.switchboard.bus;

import dev.switchboard.ops.DaemonThreads;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FanOutTest {

    private static LocalBusTest.Event kept(String text) {
        return LocalBusTest.kept(text);
    }

    private static String text(Delivery delivery) {
        return ((LocalBusTest.Event) delivery.event().event()).text();
    }

    @Test
    void anAttachedReceiverGetsWhatComesAfterItsPositionOnceStarted() {
        LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
        FanOut fanOut = TestBuses.fanOut(bus);
        List<String> first = new ArrayList<>();
        FanOut.Attachment a = fanOut.attach("c", d -> first.add(text(d)));
        a.start();
        bus.publish("c", kept("one"));
        List<String> second = new ArrayList<>();
        FanOut.Attachment b = fanOut.attach("c", d -> second.add(text(d)));
        assertEquals(1, b.position().offset());
        bus.publish("c", kept("two")); // published while the newcomer sends its history: held for it
        assertEquals(List.of(), second);
        b.start();
        bus.publish("c", kept("three"));
        assertEquals(List.of("one", "two", "three"), first);
        assertEquals(List.of("two", "three"), second, "no gap, no duplicate");
    }

    @Test
    void oneBusListenerPerChannelGoneWithTheLastReceiver() {
        LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
        FanOut fanOut = TestBuses.fanOut(bus);
        FanOut.Attachment a = fanOut.attach("c", d -> { });
        FanOut.Attachment b = fanOut.attach("c", d -> { });
        assertEquals(2, fanOut.receivers("c"));
        a.close();
        b.close();
        assertEquals(0, fanOut.receivers("c"));
        FanOut.Attachment again = fanOut.attach("c", d -> { }); // would throw if the old listener were still set
        again.close();
    }

    @Test
    void eachEncodingIsMadeOncePerEventForAllReceivers() {
        LocalBus bus = TestBuses.direct(TestBuses.KEEP_100);
        FanOut fanOut = TestBuses.fanOut(bus);
        AtomicInteger encodings = new AtomicInteger();
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 100; i++) {
            String format = i % 2 == 0 ? "json" : "xml";
            fanOut.attach("c", d -> got.add(d.encoded(format, e -> format + encodings.incrementAndGet()))).start();
        }
        bus.publish("c", kept("x"));
        assertEquals(100, got.size());
        assertEquals(2, encodings.get(), "one per format");
    }

    /**
     * Several publishers at once on one channel: every receiver gets the same single order, and
     * each publisher's own messages in the order it sent them — on a real pool, striped.
     */
    @Test
    void fourPublishersOfAThousandReachTwoHundredReceiversInOneOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4, DaemonThreads.named("test-fan-out"));
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        try {
            LocalBus bus = new LocalBus(n -> new Retention(0, 0, Duration.ZERO, 0, Duration.ofMinutes(1),
                    new LogBudget("t", Long.MAX_VALUE)), pool, null, 0, System::nanoTime);
            FanOut fanOut = new FanOut(bus, pool, 4);
            int receivers = 200;
            int perPublisher = 1000;
            int total = 4 * perPublisher;
            CountDownLatch done = new CountDownLatch(receivers);
            List<List<String>> seen = new ArrayList<>();
            for (int r = 0; r < receivers; r++) {
                List<String> mine = new ArrayList<>(total);
                seen.add(mine);
                fanOut.attach("c", d -> {
                    mine.add(text(d)); // one thread at a time per receiver: its stripe's lane
                    if (mine.size() == total) {
                        done.countDown();
                    }
                }).start();
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> sending = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int publisher = p;
                sending.add(publishers.submit(() -> {
                    go.await();
                    for (int i = 0; i < perPublisher; i++) {
                        bus.publish("c", kept(publisher + ":" + i));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : sending) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "every receiver got every message");
            List<String> order = seen.get(0);
            for (List<String> other : seen) {
                synchronized (other) {
                    assertEquals(order, other, "one order for every receiver");
                }
            }
            for (int p = 0; p < 4; p++) {
                String prefix = p + ":";
                List<String> own = order.stream().filter(t -> t.startsWith(prefix)).toList();
                for (int i = 0; i < perPublisher; i++) {
                    assertEquals(prefix + i, own.get(i), "a publisher's own order");
                }
            }
        } finally {
            publishers.shutdownNow();
            pool.shutdownNow();
        }
    }
}
