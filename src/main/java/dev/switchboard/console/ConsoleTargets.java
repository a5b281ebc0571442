package dev.switchboard.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The attached targets as every operator sees them: this process's ({@link #local()}), or the
 * cluster's (a grid map, in {@code cluster/}). The hub keeps each target's connection itself;
 * this is only who is listed.
 */
public interface ConsoleTargets extends AutoCloseable {

    /** Lists a target, held by this node; false when its id is taken already. */
    boolean add(ConsoleHub.TargetInfo target);

    /** Unlists a target this node added. */
    void remove(String id);

    /** Every listed target, in the order they attached. */
    List<ConsoleHub.TargetInfo> list();

    /**
     * Told of targets unlisted without their connection saying so — their node died or stopped
     * renewing them ({@code lapsed}) — and of one listed again when its node came back ({@code restored}).
     * A local directory has neither.
     */
    void onLapse(Consumer<String> lapsed, Consumer<String> restored);

    @Override
    void close();

    /** This process's targets only: a map. */
    static ConsoleTargets local() {
        return new ConsoleTargets() {
            private final Map<String, ConsoleHub.TargetInfo> targets = new LinkedHashMap<>();

            @Override
            public synchronized boolean add(ConsoleHub.TargetInfo target) {
                return targets.putIfAbsent(target.id(), target) == null;
            }

            @Override
            public synchronized void remove(String id) {
                targets.remove(id);
            }

            @Override
            public synchronized List<ConsoleHub.TargetInfo> list() {
                return new ArrayList<>(targets.values());
            }

            @Override
            public void onLapse(Consumer<String> lapsed, Consumer<String> restored) {
                // every local target leaves through its own connection
            }

            @Override
            public void close() {
            }
        };
    }
}
