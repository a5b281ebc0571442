package dev.switchboard.bus;

import dev.switchboard.connection.Broadcast;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-process bus: each channel's subscribers in a copy-on-write list, so a publish walks an
 * immutable snapshot without locking while members come and go.
 */
public final class LocalBus implements MessageBus {

    private record Subscriber(String key, Consumer<Broadcast> listener) {
    }

    private final ConcurrentMap<String, List<Subscriber>> channels = new ConcurrentHashMap<>();

    @Override
    public void publish(String channel, Broadcast message) {
        List<Subscriber> subscribers = channels.get(channel);
        if (subscribers == null) {
            return;
        }
        String except = message.exceptKey();
        for (Subscriber subscriber : subscribers) {
            if (except == null || !except.equals(subscriber.key())) {
                subscriber.listener().accept(message);
            }
        }
    }

    @Override
    public Subscription subscribe(String channel, String key, Consumer<Broadcast> listener) {
        Subscriber subscriber = new Subscriber(key, listener);
        channels.compute(channel, (name, list) -> {
            List<Subscriber> subscribers = list == null ? new CopyOnWriteArrayList<>() : list;
            subscribers.add(subscriber);
            return subscribers;
        });
        return () -> channels.computeIfPresent(channel, (name, list) -> {
            list.remove(subscriber);
            return list.isEmpty() ? null : list;
        });
    }

    @Override
    public int subscribers(String channel) {
        List<Subscriber> subscribers = channels.get(channel);
        return subscribers == null ? 0 : subscribers.size();
    }
}
