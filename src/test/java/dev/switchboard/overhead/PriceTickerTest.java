package dev.switchboard.overhead;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PriceTickerTest {

    private final AtomicLong clock = new AtomicLong(1_000);

    private PriceTicker ticker(long seed) {
        return new PriceTicker(PriceTicker.DEMO_SYMBOLS, seed, clock::get);
    }

    @Test
    void beforeTheFirstTickTheLatestQuoteHoldsTheOpeningPrices() {
        Quote opening = ticker(1).latest();
        assertEquals(0, opening.seq());
        assertEquals(1_000, opening.epochMillis());
        assertEquals(10_125, opening.prices().get(0).cents());
        assertEquals(0, opening.prices().get(0).changeCents());
    }

    @Test
    void everyTickNumbersTheQuoteAndStampsItWithTheClock() {
        PriceTicker ticker = ticker(1);
        clock.set(5_000);
        Quote first = ticker.next();
        clock.set(6_000);
        Quote second = ticker.next();
        assertEquals(1, first.seq());
        assertEquals(2, second.seq());
        assertEquals(6_000, second.epochMillis());
        assertEquals(second, ticker.latest());
    }

    @Test
    void symbolsKeepTheirOrder() {
        Quote quote = ticker(1).next();
        assertEquals(PriceTicker.DEMO_SYMBOLS.keySet().stream().toList(),
                quote.prices().stream().map(Quote.Price::symbol).toList());
    }

    @Test
    void theSameSeedWalksTheSamePrices() {
        PriceTicker one = ticker(42);
        PriceTicker two = ticker(42);
        for (int i = 0; i < 100; i++) {
            assertEquals(one.next().prices(), two.next().prices());
        }
        assertNotEquals(ticker(42).next().prices(), ticker(43).next().prices());
    }

    @Test
    void changeIsTheDifferenceFromThePreviousPrice() {
        PriceTicker ticker = ticker(7);
        Quote before = ticker.latest();
        for (int i = 0; i < 200; i++) {
            Quote after = ticker.next();
            for (int s = 0; s < after.prices().size(); s++) {
                Quote.Price price = after.prices().get(s);
                assertEquals(before.prices().get(s).cents() + price.changeCents(), price.cents());
            }
            before = after;
        }
    }

    @Test
    void stepsStaySmallAndPricesNeverFallBelowTheFloor() {
        Map<String, Long> cheap = new LinkedHashMap<>();
        cheap.put("PENNY", 101L);
        PriceTicker ticker = new PriceTicker(cheap, 3, clock::get);
        long previous = 101;
        for (int i = 0; i < 10_000; i++) {
            long price = ticker.next().prices().get(0).cents();
            assertTrue(price >= PriceTicker.FLOOR_CENTS, "at or above the floor: " + price);
            assertTrue(Math.abs(price - previous) <= previous / 100 + 1, "about 1 % at most: " + previous + " → " + price);
            previous = price;
        }
    }

    @Test
    void aTickerNeedsASymbol() {
        assertThrows(IllegalArgumentException.class, () -> new PriceTicker(Map.of(), 1, clock::get));
    }

    @Test
    void quoteJsonCarriesPricesWithTwoDecimals() {
        Quote quote = new Quote(3, 99, java.util.List.of(new Quote.Price("SWB", 10_105, -5), new Quote.Price("X", 100, 0)));
        assertEquals("{\"type\":\"quote\",\"seq\":3,\"ts\":99,\"prices\":[{\"symbol\":\"SWB\",\"price\":101.05,"
                + "\"change\":-0.05},{\"symbol\":\"X\",\"price\":1.00,\"change\":0.00}]}", quote.json());
    }
}
