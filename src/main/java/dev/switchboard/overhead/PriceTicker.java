package dev.switchboard.overhead;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * A made-up market: a few symbols whose prices take a small random step on every {@link #next()}.
 * Seeded, so a test (or a restarted demo) sees the same walk; the clock only stamps the quotes.
 * Thread-safe; nothing here touches the network.
 */
public final class PriceTicker {

    /** The demo's symbols and their opening prices in cents. */
    public static final Map<String, Long> DEMO_SYMBOLS = demoSymbols();

    /** No price falls below one dollar: a walk that wanders to zero would look broken. */
    static final long FLOOR_CENTS = 100;

    private final Random random;
    private final LongSupplier clock;
    private final String[] symbols;
    private final long[] cents;
    private long seq;
    private Quote latest;

    public PriceTicker(Map<String, Long> openingCents, long seed, LongSupplier clock) {
        if (openingCents.isEmpty()) {
            throw new IllegalArgumentException("a ticker needs at least one symbol");
        }
        this.random = new Random(seed);
        this.clock = clock;
        this.symbols = openingCents.keySet().toArray(String[]::new);
        this.cents = openingCents.values().stream().mapToLong(Long::longValue).toArray();
        List<Quote.Price> opening = new ArrayList<>();
        for (int i = 0; i < symbols.length; i++) {
            cents[i] = Math.max(FLOOR_CENTS, cents[i]);
            opening.add(new Quote.Price(symbols[i], cents[i], 0));
        }
        this.latest = new Quote(0, clock.getAsLong(), opening);
    }

    /** Moves every price one step (at most about 1 % either way) and returns the new quote. */
    public synchronized Quote next() {
        List<Quote.Price> prices = new ArrayList<>(symbols.length);
        for (int i = 0; i < symbols.length; i++) {
            long step = Math.round(random.nextGaussian() * cents[i] / 300.0);
            step = Math.max(-cents[i] / 100 - 1, Math.min(cents[i] / 100 + 1, step));
            long moved = Math.max(FLOOR_CENTS, cents[i] + step);
            prices.add(new Quote.Price(symbols[i], moved, moved - cents[i]));
            cents[i] = moved;
        }
        latest = new Quote(++seq, clock.getAsLong(), prices);
        return latest;
    }

    /** The most recent quote (the opening prices, seq 0, before the first {@link #next()}). */
    public synchronized Quote latest() {
        return latest;
    }

    private static Map<String, Long> demoSymbols() {
        Map<String, Long> symbols = new LinkedHashMap<>();
        symbols.put("SWB", 10_125L);
        symbols.put("TYRS", 4_250L);
        symbols.put("GRZL", 23_780L);
        return java.util.Collections.unmodifiableMap(symbols);
    }
}
