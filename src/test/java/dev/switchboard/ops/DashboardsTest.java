package dev.switchboard.ops;

import dev.switchboard.testing.RunningServer;
import dev.switchboard.testing.WsClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard and the Prometheus alert rules in docs/ ask only for what the server
 * exposes: every metric a query names is in a real {@code metrics} scrape (after the traffic that
 * makes the lazily created ones appear), with every label the query groups by; and Prometheus's
 * own {@code promtool} accepts the rules and fires each alert on its test series.
 */
class DashboardsTest {

    private static final Path DASHBOARD = Path.of("docs/grafana/switchboard-dashboard.json");
    private static final Path RULES = Path.of("docs/prometheus/switchboard-alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:switchboard|jvm|process)_[a-z0-9_]+)\\b");
    private static final Pattern GROUPED = Pattern.compile("by \\(([a-z_, ]+)\\)");

    private static RunningServer server;
    private static String scrape;

    @BeforeAll
    static void scrapeAfterTraffic() throws Exception {
        server = RunningServer.start();
        // the counters that appear with their first event: a close, a refused handshake, an error
        try (WsClient echo = WsClient.connect(server.ws("echo"))) {
            echo.sendText("hello");
            echo.nextText();
        }
        try (WsClient refused = WsClient.connect(server.ws("echo"), "http://elsewhere.example")) {
            throw new AssertionError("a foreign origin was let in");
        } catch (CompletionException expected) {
            // 403
        }
        try (WsClient chat = WsClient.connect(server.ws("chat/dashboards"))) {
            chat.sendText("{not json");
            chat.nextText();
        }
        // the GC pause timer appears with the first collection (the server runs in this JVM)
        System.gc();
        dev.switchboard.testing.Await.until("a GC in the metrics", java.time.Duration.ofSeconds(20),
                () -> metrics().contains("jvm_gc_pause_seconds_sum"));
        scrape = server.get("metrics").body();
    }

    private static String metrics() {
        try {
            return server.get("metrics").body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> dashboardQueries() throws IOException {
        JsonObject dashboard = Json.createReader(new StringReader(Files.readString(DASHBOARD))).readObject();
        List<String> queries = new ArrayList<>();
        for (JsonValue panel : dashboard.getJsonArray("panels")) {
            for (JsonValue target : panel.asJsonObject().getJsonArray("targets")) {
                queries.add(target.asJsonObject().getString("expr"));
            }
        }
        for (JsonValue variable : dashboard.getJsonObject("templating").getJsonArray("list")) {
            if (variable.asJsonObject().containsKey("definition")) {
                queries.add(variable.asJsonObject().getString("definition"));
            }
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions() throws IOException {
        Map<String, Object> file;
        try (InputStream in = Files.newInputStream(RULES)) {
            file = new Yaml().load(in);
        }
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.add((String) rule.get("expr"));
            }
        }
        return expressions;
    }

    /** The scraped series of {@code metric}: its lines, labels and value. */
    private static List<String> series(String metric) {
        List<String> lines = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static void checkAgainstTheScrape(String where, List<String> queries) {
        List<String> problems = new ArrayList<>();
        for (String query : queries) {
            Set<String> metrics = new LinkedHashSet<>();
            Matcher found = METRIC.matcher(query);
            while (found.find()) {
                metrics.add(found.group(1));
            }
            assertFalse(metrics.isEmpty(), where + " query without a metric: " + query);
            Set<String> labels = new LinkedHashSet<>();
            Matcher grouped = GROUPED.matcher(query);
            while (grouped.find()) {
                for (String label : grouped.group(1).split(",")) {
                    labels.add(label.trim());
                }
            }
            labels.remove("node"); // only in a cluster: the server's common tag
            for (String metric : metrics) {
                List<String> lines = series(metric);
                if (lines.isEmpty()) {
                    problems.add(metric + " is not in the scrape (" + query + ")");
                    continue;
                }
                for (String label : labels) {
                    if (lines.stream().noneMatch(line -> line.contains(label + "=\""))) {
                        problems.add(metric + " has no label " + label + " (" + query + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), problems, where);
    }

    @Test
    void everyDashboardQueryNamesMetricsAndLabelsTheServerHas() throws IOException {
        List<String> queries = dashboardQueries();
        assertTrue(queries.size() >= 15, "the dashboard has its panels");
        checkAgainstTheScrape("dashboard", queries);
    }

    @Test
    void everyAlertRuleNamesMetricsAndLabelsTheServerHas() throws IOException {
        List<String> rules = ruleExpressions();
        assertEquals(4, rules.size());
        checkAgainstTheScrape("alert rules", rules);
    }

    @Test
    void promtoolAcceptsTheRulesAndEachAlertFiresOnItsTestSeries() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")),
                "promtool (Debian's prometheus package, which scripts/install-test-deps.sh installs) is not here");
        assertEquals("", run("check", "rules", "switchboard-alerts.yml"));
        assertEquals("", run("test", "rules", "switchboard-alerts.test.yml"));
    }

    /** Runs promtool in docs/prometheus; "" when it succeeded, else what it said. */
    private static String run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(RULES.getParent().toFile()).redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        return process.exitValue() == 0 && output.contains("SUCCESS") ? "" : output;
    }
}
