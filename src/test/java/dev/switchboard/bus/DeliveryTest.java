package dev.switchboard.bus;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class DeliveryTest {

    private static Delivery delivery() {
        ChannelEvent event = new ChannelEvent() {
            @Override
            public boolean retained() {
                return true;
            }

            @Override
            public long bytes() {
                return 1;
            }
        };
        return new Delivery(new Sequenced("topic", "e", 1, 1, event));
    }

    @Test
    void eachFormatIsMadeOnceAndKeysAreComparedByEquals() {
        Delivery delivery = delivery();
        AtomicInteger made = new AtomicInteger();
        Object first = delivery.encoded(Delivery.class, e -> "message " + made.incrementAndGet());
        Object frame = delivery.encoded(new String("1.2\n0\nAUTO"), e -> "frame " + made.incrementAndGet());
        assertSame(first, delivery.encoded(Delivery.class, e -> "again " + made.incrementAndGet()));
        assertSame(frame, delivery.encoded(new String("1.2\n0\nAUTO"), e -> "again " + made.incrementAndGet()),
                "an equal key, another instance");
        assertEquals("frame 2", delivery.encoded("1.2\n0\nAUTO", e -> "again"));
        assertEquals("other 3", delivery.encoded("1.0\n0\nAUTO", e -> "other " + made.incrementAndGet()));
        assertEquals(3, made.get());
    }

    @Test
    void receiversOnManyThreadsShareOneEncodingPerFormat() throws Exception {
        for (int round = 0; round < 50; round++) {
            Delivery delivery = delivery();
            AtomicInteger made = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            List<Object> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                String key = "format " + (t % 2);
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    seen.add(delivery.encoded(key, e -> new Object[] {made.incrementAndGet()}));
                });
                threads.add(thread);
                thread.start();
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join(10_000);
            }
            assertEquals(2, made.get(), "one encoding per format");
            assertEquals(2, seen.stream().distinct().count());
        }
    }
}
