package dev.switchboard.overhead;

import java.util.List;

/**
 * One tick of the ticker: every symbol's price at that moment. Prices are whole cents so the walk
 * never drifts through floating-point rounding.
 */
public record Quote(long seq, long epochMillis, List<Price> prices) {

    public record Price(String symbol, long cents, long changeCents) {
    }

    public Quote {
        prices = List.copyOf(prices);
    }

    /**
     * The JSON both transports carry, byte for byte the same, so that only their framing differs:
     * {@code {"type":"quote","seq":7,"ts":…,"prices":[{"symbol":"SWB","price":101.25,"change":-0.5},…]}}.
     * Symbols are the ticker's own ASCII names, so no escaping is needed.
     */
    public String json() {
        StringBuilder json = new StringBuilder(64 + 48 * prices.size());
        json.append("{\"type\":\"quote\",\"seq\":").append(seq).append(",\"ts\":").append(epochMillis)
                .append(",\"prices\":[");
        for (int i = 0; i < prices.size(); i++) {
            Price price = prices.get(i);
            json.append(i == 0 ? "" : ",").append("{\"symbol\":\"").append(price.symbol()).append("\",\"price\":")
                    .append(decimal(price.cents())).append(",\"change\":").append(decimal(price.changeCents()))
                    .append('}');
        }
        return json.append("]}").toString();
    }

    /** Cents as a JSON number with two decimals: 10125 → 101.25, -5 → -0.05. */
    static String decimal(long cents) {
        long abs = Math.abs(cents);
        return (cents < 0 ? "-" : "") + abs / 100 + "." + (abs % 100 < 10 ? "0" : "") + abs % 100;
    }
}
