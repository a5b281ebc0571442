package dev.switchboard.security;

import dev.switchboard.config.ConfigException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may do what: {@code security.rules} is {@code ACTION:PATTERN=role|role;…} with ACTION one of
 * {@code stomp.send}, {@code stomp.subscribe}, {@code chat}, {@code images}, {@code vnc},
 * {@code console}; PATTERN a destination, room or target where {@code *} is one segment and
 * {@code **} anything; role {@code *} any authenticated user. For an action, the first matching
 * pattern decides; nothing matching denies. Actions the setting does not name keep the default:
 * any authenticated user, except {@code vnc} and {@code console}, which need {@code operator}.
 */
public final class AccessRules {

    public static final List<String> ACTIONS = List.of("stomp.send", "stomp.subscribe", "chat", "images", "vnc", "console");

    private record Rule(String[] pattern, Set<String> roles) {
    }

    private final Map<String, List<Rule>> rules;

    private AccessRules(Map<String, List<Rule>> rules) {
        this.rules = rules;
    }

    public static AccessRules parse(String setting) {
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        for (String action : ACTIONS) {
            boolean operatorOnly = action.equals("vnc") || action.equals("console");
            rules.put(action, List.of(new Rule(new String[] {"**"}, Set.of(operatorOnly ? OperatorPolicy.OPERATOR_ROLE : "*"))));
        }
        if (setting == null || setting.isBlank()) {
            return new AccessRules(rules);
        }
        Map<String, List<Rule>> configured = new LinkedHashMap<>();
        for (String entry : setting.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            int equals = entry.lastIndexOf('=');
            String action = colon > 0 ? entry.substring(0, colon).trim() : "";
            if (colon <= 0 || equals < colon || !ACTIONS.contains(action)) {
                throw new ConfigException("Invalid configuration 'security.rules' entry '" + entry.trim()
                        + "': expected ACTION:PATTERN=role|role with ACTION one of " + ACTIONS);
            }
            String pattern = entry.substring(colon + 1, equals).trim();
            Set<String> roles = new HashSet<>(Arrays.asList(entry.substring(equals + 1).trim().split("\\|")));
            roles.removeIf(String::isBlank);
            configured.computeIfAbsent(action, a -> new ArrayList<>()).add(new Rule(segments(pattern), roles));
        }
        rules.putAll(configured);
        return new AccessRules(rules);
    }

    /** Whether an authenticated identity may do {@code action} on {@code resource}. */
    public boolean allows(Identity identity, String action, String resource) {
        for (Rule rule : rules.getOrDefault(action, List.of())) {
            if (matches(rule.pattern(), segments(resource), 0, 0)) {
                return rule.roles().contains("*") || identity.roles().stream().anyMatch(rule.roles()::contains);
            }
        }
        return false;
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    private static boolean matches(String[] pattern, String[] resource, int p, int r) {
        if (p == pattern.length) {
            return r == resource.length;
        }
        if (pattern[p].equals("**")) {
            for (int skip = r; skip <= resource.length; skip++) {
                if (matches(pattern, resource, p + 1, skip)) {
                    return true;
                }
            }
            return false;
        }
        if (r == resource.length) {
            return false;
        }
        return (pattern[p].equals("*") || globMatch(pattern[p], resource[r])) && matches(pattern, resource, p + 1, r + 1);
    }

    /** A segment with {@code *} inside ("room-*") matches any run of characters there. */
    private static boolean globMatch(String pattern, String text) {
        if (!pattern.contains("*")) {
            return pattern.equals(text);
        }
        String regex = Arrays.stream(pattern.split("\\*", -1)).map(java.util.regex.Pattern::quote)
                .reduce((a, b) -> a + "[^/]*" + b).orElse("");
        return text.matches(regex);
    }
}
