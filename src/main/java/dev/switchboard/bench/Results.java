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
            mean.put(name, name.endsWith("/s") || name.endsWith(" ms") ? (value + o) / 2 : value + o);
        });
        return mean;
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
                String format = r.server().startsWith("÷") ? " %15.2f" : " %15.1f";
                out.append(v == null ? String.format(Locale.ROOT, " %15s", "") : String.format(Locale.ROOT, format, v));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
