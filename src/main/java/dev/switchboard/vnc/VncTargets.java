package dev.switchboard.vnc;

import dev.switchboard.config.ConfigException;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The VNC servers the bridge may dial, by name: {@code vnc.targets=desk=127.0.0.1:5900,lab=10.0.0.7:5901}.
 * Only these are ever dialled; a browser names a target, never a host or port.
 */
public final class VncTargets {

    private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9._-]{1,64})=(\\[[0-9A-Fa-f:.]+\\]|[^:=\\s]+):(\\d{1,5})");

    private final Map<String, InetSocketAddress> targets;

    private VncTargets(Map<String, InetSocketAddress> targets) {
        this.targets = Collections.unmodifiableMap(targets);
    }

    public static VncTargets none() {
        return new VncTargets(new LinkedHashMap<>());
    }

    /** Parses the configured entries; a malformed one stops startup naming it. */
    public static VncTargets parse(List<String> entries) {
        Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
        for (String entry : entries) {
            Matcher m = ENTRY.matcher(entry.trim());
            int port = m.matches() ? Integer.parseInt(m.group(3)) : -1;
            if (port < 1 || port > 65535) {
                throw new ConfigException("Invalid configuration 'vnc.targets' entry '" + entry
                        + "': expected NAME=HOST:PORT, e.g. desk=127.0.0.1:5900");
            }
            String host = m.group(2).startsWith("[") ? m.group(2).substring(1, m.group(2).length() - 1) : m.group(2);
            if (targets.put(m.group(1), InetSocketAddress.createUnresolved(host, port)) != null) {
                throw new ConfigException("Invalid configuration 'vnc.targets': target '" + m.group(1) + "' is named twice");
            }
        }
        return new VncTargets(targets);
    }

    public Optional<InetSocketAddress> address(String name) {
        return Optional.ofNullable(name == null ? null : targets.get(name));
    }

    /** The names, in configured order (never the addresses). */
    public List<String> names() {
        return List.copyOf(targets.keySet());
    }
}
