package dev.switchboard.security;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names this server answers to ({@code server-names}), for the {@code same-host} origin rule.
 * A page whose origin matches the request's {@code Host} is only "same host" when that
 * {@code Host} is one of these: under DNS rebinding both are the attacker's name, pointed at us.
 * The default: {@code localhost}, the bind address, and the machine's own names and addresses
 * (an address cannot be rebound). {@code *} accepts any {@code Host} (the check is off).
 */
public final class ServerNames {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private final Set<String> names;
    private final boolean any;

    private ServerNames(Set<String> names) {
        this.names = names;
        this.any = names.contains("*");
    }

    /** The configured names, or (when none are) the defaults for a server bound to {@code bindHost}. */
    public static ServerNames of(List<String> configured, String bindHost) {
        Set<String> names = new LinkedHashSet<>();
        if (!configured.isEmpty()) {
            configured.forEach(name -> names.add(normalise(name)));
            return new ServerNames(Set.copyOf(names));
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        if (bindHost != null && !bindHost.isBlank()) {
            names.add(normalise(bindHost));
        }
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(normalise(local.getHostName()));
            names.add(normalise(local.getCanonicalHostName()));
        } catch (Exception e) {
            // no resolvable name for this machine: its addresses still count
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    names.add(normalise(address.getHostAddress()));
                }
            }
        } catch (SocketException e) {
            // no interfaces to list
        }
        return new ServerNames(Set.copyOf(names));
    }

    public static ServerNames of(String... names) {
        return of(List.of(names), null);
    }

    /** Whether {@code host} (a name or address, without port) is one of this server's. */
    public boolean contains(String host) {
        return host != null && (any || names.contains(normalise(host)));
    }

    /** The name part of a {@code Host} header value ({@code name}, {@code name:port}, {@code [v6]:port}). */
    public static String hostName(String hostHeader) {
        String value = hostHeader.trim();
        int colon = value.lastIndexOf(':');
        if (colon > value.lastIndexOf(']') && value.indexOf(':') == colon) {
            return value.substring(0, colon);
        }
        return value.startsWith("[") && value.contains("]") ? value.substring(0, value.indexOf(']') + 1) : value;
    }

    public Set<String> names() {
        return names;
    }

    /** Lower case, without brackets or an IPv6 zone; IPv6 literals in one canonical form. */
    static String normalise(String host) {
        String name = host.trim().toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        int zone = name.indexOf('%');
        if (zone >= 0) {
            name = name.substring(0, zone);
        }
        InetAddress literal = literal(name);
        return literal != null ? literal.getHostAddress().replaceAll("%.*", "") : name;
    }

    /** The address an IPv4 dotted quad or an IPv6 literal stands for, without any DNS lookup; else null. */
    static InetAddress literal(String host) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IPV4.matcher(name).matches() && !(name.contains(":") && name.matches("[0-9a-fA-F:.]+"))) {
            return null;
        }
        try {
            return InetAddress.getByName(name); // a literal: parsed, never resolved
        } catch (Exception e) {
            return null;
        }
    }
}
