package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One scenario's numbers against one server, printed as a table row and as a JSON line. */
record Results(String scenario, String server, Map<String, Double> values) {

    static Results of(String scenario, String server) {
        return new Results(scenario, server, new LinkedHashMap<>());
    }

    Results put(String name, double value) {
        values.put(name, value);
        return this;
    }

    /**
     * This row divided by {@code peer}'s, value by value, where both have a non-zero rate or time
     * (counts such as "lost" are not ratios and are left out).
     */
    Results ratio(Results peer, String label) {
        Results ratio = of(scenario, label);
        values.forEach((name, value) -> {
            Double other = peer.values().get(name);
            if (other != null && other != 0 && (name.endsWith("/s") || name.endsWith(" ms") || name.contains("/conn"))) {
                ratio.put(name, value / other);
            }
        });
        return ratio;
    }

    /**
     * Two runs of one scenario against one server as one row: rates and times averaged, counts
     * (lost, out-of-order, closes) added.
     */
    Results mean(Results other) {
        Results mean = of(scenario, server);
        values.forEach((name, value) -> {
            double o = other.values().getOrDefault(name, 0.0);
            mean.put(name, averaged(name) ? (value + o) / 2 : value + o);
        });
        return mean;
    }

    /**
     * Repeated runs of one scenario against one server as one row: rates and times averaged, counts
     * (lost, errors) added, and
     * {@code spread %} — (highest − lowest) ÷ mean of the row's first rate — so a noisy machine's
     * scatter is printed next to the number it scatters. One run has a spread of 0.
     */
    static Results summary(List<Results> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs");
        }
        Results first = runs.get(0);
        Results mean = of(first.scenario(), first.server());
        first.values().keySet().forEach(name -> {
            java.util.DoubleSummaryStatistics each = runs.stream()
                    .mapToDouble(r -> r.values().getOrDefault(name, 0.0)).summaryStatistics();
            mean.put(name, averaged(name) ? each.getAverage() : each.getSum());
        });
        String rate = first.rateColumn();
        if (rate != null) {
            double low = runs.stream().mapToDouble(r -> r.values().getOrDefault(rate, 0.0)).min().orElse(0);
            double high = runs.stream().mapToDouble(r -> r.values().getOrDefault(rate, 0.0)).max().orElse(0);
            double average = mean.values().get(rate);
            mean.put("spread %", average == 0 ? 0 : (high - low) / average * 100);
        }
        return mean;
    }

    /**
     * This row's first rate as a percentage of the disk's own rate of 200-byte appends with an
     * fsync after each ({@link FsyncProbe}): 100% is one sync per message; above 100% the broker
     * syncs several messages at once (or does not sync each).
     */
    Results fsyncShare(double fsyncsPerSecond) {
        String rate = rateColumn();
        if (rate != null && fsyncsPerSecond > 0) {
            put("% of fsync", values.get(rate) / fsyncsPerSecond * 100);
        }
        return this;
    }

    /** Rates, times and percentages (CPU) are averaged over runs; everything else is a count and added up. */
    private static boolean averaged(String name) {
        return name.endsWith("/s") || name.endsWith(" ms") || name.endsWith(" %");
    }

    /** The first value that is a rate (its name ends in {@code /s}), or null. */
    private String rateColumn() {
        return values.keySet().stream().filter(name -> name.endsWith("/s")).findFirst().orElse(null);
    }

    String json() {
        StringBuilder out = new StringBuilder("{\"scenario\":\"" + scenario + "\",\"server\":\"" + server + "\"");
        values.forEach((k, v) -> out.append(",\"").append(k).append("\":").append(String.format(Locale.ROOT, "%.3f", v)));
        return out.append('}').toString();
    }

    /**
     * A table: one row per result, a column per value name. Consecutive rows with the same columns
     * (ratio rows have a subset) share one block and its header line, so no block is mostly blank.
     */
    static String table(List<Results> results) {
        StringBuilder out = new StringBuilder();
        List<String> columns = List.of();
        for (Results r : results) {
            if (columns.isEmpty() || !columns.containsAll(r.values().keySet())) {
                columns = new ArrayList<>(r.values().keySet());
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(String.format(Locale.ROOT, "%-32s %-12s", "scenario", "server"));
                columns.forEach(c -> out.append(String.format(Locale.ROOT, " %15s", c)));
                out.append('\n');
            }
            out.append(String.format(Locale.ROOT, "%-32s %-12s", r.scenario(), r.server()));
            for (String c : columns) {
                Double v = r.values().get(c);
                String format = r.server().contains("÷") ? " %15.2f" : " %15.1f"; // "÷ jetty", "payara÷sb"
                out.append(v == null ? String.format(Locale.ROOT, " %15s", "") : String.format(Locale.ROOT, format, v));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
