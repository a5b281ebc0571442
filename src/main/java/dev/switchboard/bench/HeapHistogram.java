package dev.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server process's live heap by class, from the JDK's {@code jcmd PID GC.class_histogram} (which
 * runs a full collection first and counts only live objects). The same measure for every server the
 * tool starts — a {@link BenchServer}, a standalone jar, Payara Micro — since it needs nothing from
 * the process but the JDK's attach mechanism.
 */
record HeapHistogram(long totalBytes, Map<String, Entry> classes) {

    /** One class's live instances and their shallow bytes. */
    record Entry(long instances, long bytes) {
    }

    /** One class's growth between two histograms. */
    record Growth(String className, long instances, long bytes) {
    }

    /** Runs {@code jcmd PID GC.class_histogram} with the JDK this tool runs on. */
    static HeapHistogram of(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(ServerProcess.javaCommand()).toAbsolutePath().resolveSibling("jcmd");
        Path out = Files.createTempFile("switchboard-bench-histogram", ".txt");
        try {
            Process process = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd",
                    Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("jcmd " + pid + " GC.class_histogram did not finish in 120 s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + text.strip());
            }
            return parse(text);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Reads jcmd's histogram: rows {@code "   1:   12345   1234567  [B (java.base@17)"} and a last
     * row {@code "Total   123456   12345678"}; the module after a class name is dropped.
     */
    static HeapHistogram parse(String text) throws IOException {
        Map<String, Entry> classes = new HashMap<>();
        long total = -1;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":") && f[0].substring(0, f[0].length() - 1).chars().allMatch(Character::isDigit)) {
                classes.merge(f[3], new Entry(Long.parseLong(f[1]), Long.parseLong(f[2])),
                        (a, b) -> new Entry(a.instances() + b.instances(), a.bytes() + b.bytes()));
            } else if (f.length == 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            }
        }
        if (total < 0) {
            throw new IOException("not a class histogram: " + text.lines().limit(3).toList());
        }
        return new HeapHistogram(total, classes);
    }

    /** What grew from {@code before} to this histogram, the most bytes first, at most {@code limit} classes. */
    List<Growth> growthSince(HeapHistogram before, int limit) {
        List<Growth> growth = new ArrayList<>();
        classes.forEach((name, now) -> {
            Entry then = before.classes().getOrDefault(name, new Entry(0, 0));
            if (now.bytes() > then.bytes()) {
                growth.add(new Growth(name, now.instances() - then.instances(), now.bytes() - then.bytes()));
            }
        });
        growth.sort(Comparator.comparingLong(Growth::bytes).reversed());
        return growth.subList(0, Math.min(limit, growth.size()));
    }

    /** The top classes' growth per connection, a line each: bytes, instances and the class, as jcmd names it. */
    static String perConnection(String server, int connections, long totalGrowth, List<Growth> top) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "heap per idle connection, %s: %.1f KiB (%d connections; live objects after a full GC, less the server before them)%n",
                server, totalGrowth / 1024.0 / connections, connections));
        for (Growth g : top) {
            out.append(String.format(Locale.ROOT, "  %8.0f B %6.1f×  %s%n", (double) g.bytes() / connections,
                    (double) g.instances() / connections, readable(g.className())));
        }
        return out.toString();
    }

    /** {@code [B} → {@code byte[]}, {@code [Ljava.lang.Object;} → {@code java.lang.Object[]}. */
    static String readable(String jvmName) {
        int dims = 0;
        while (dims < jvmName.length() && jvmName.charAt(dims) == '[') {
            dims++;
        }
        if (dims == 0) {
            return jvmName;
        }
        String element = jvmName.substring(dims);
        String base = switch (element) {
            case "B" -> "byte";
            case "C" -> "char";
            case "I" -> "int";
            case "J" -> "long";
            case "S" -> "short";
            case "Z" -> "boolean";
            case "F" -> "float";
            case "D" -> "double";
            default -> element.startsWith("L") && element.endsWith(";") ? element.substring(1, element.length() - 1) : element;
        };
        return base + "[]".repeat(dims);
    }
}
