package dev.switchboard.security;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The origin allow-list: which browser pages may open a WebSocket here. Browsers always send
 * {@code Origin} on a WebSocket handshake and pages cannot forge it, so this is the guard against
 * cross-site WebSocket hijacking. A request without {@code Origin} is not from a browser and passes.
 * <p>
 * Entries: {@code same-host} (the origin's host and port are the request's {@code Host}, and that
 * {@code Host} is one of the {@link ServerNames} — a rebound DNS name is foreign), {@code localhost}
 * (the exact name localhost, or a loopback address literal — 127.0.0.0/8, [::1] — parsed as an
 * address, so {@code 127.evil.com} is not one; any scheme and port), a full origin such as
 * {@code https://app.example.com} or {@code http://example.com:8080}, a bare host name such as
 * {@code example.com} (any scheme and port), or {@code *} (anything: never on a network).
 * The default, when nothing is configured, is {@code same-host,localhost}.
 */
public final class OriginPolicy {

    public static final List<String> DEFAULT = List.of("same-host", "localhost");

    private final List<String> entries;
    private final ServerNames serverNames;

    private OriginPolicy(List<String> entries, ServerNames serverNames) {
        this.entries = entries.stream().map(e -> e.trim().toLowerCase(Locale.ROOT)).toList();
        this.serverNames = serverNames;
    }

    /** The policy for the configured entries (empty means {@link #DEFAULT}) on a server with these names. */
    public static OriginPolicy of(List<String> configured, ServerNames serverNames) {
        return new OriginPolicy(configured.isEmpty() ? DEFAULT : configured, serverNames);
    }

    /**
     * @param origin     the {@code Origin} header, or null when there is none
     * @param hostHeader the request's {@code Host} header, or null
     */
    public boolean allows(String origin, String hostHeader) {
        if (origin == null) {
            return true;
        }
        Endpoint from = Endpoint.ofOrigin(origin);
        for (String entry : entries) {
            if (entry.equals("*")) {
                return true;
            }
            if (from == null) {
                continue; // "null" or garbage only passes "*"
            }
            boolean match = switch (entry) {
                case "same-host" -> from.sameHostAs(hostHeader, serverNames);
                case "localhost" -> from.isLoopback();
                default -> entry.contains("://") ? from.equals(Endpoint.ofOrigin(entry)) : from.host.equals(entry);
            };
            if (match) {
                return true;
            }
        }
        return false;
    }

    /** Scheme, host and effective port of an origin. */
    private record Endpoint(String scheme, String host, int port) {

        static Endpoint ofOrigin(String origin) {
            try {
                URI uri = new URI(origin.trim());
                String scheme = uri.getScheme();
                String host = uri.getHost();
                if (scheme == null || host == null) {
                    return null;
                }
                scheme = scheme.toLowerCase(Locale.ROOT);
                int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
                return new Endpoint(scheme, stripBrackets(host.toLowerCase(Locale.ROOT)), port);
            } catch (Exception e) {
                return null;
            }
        }

        boolean isLoopback() {
            if (host.equals("localhost")) {
                return true;
            }
            java.net.InetAddress address = ServerNames.literal(host);
            return address != null && address.isLoopbackAddress();
        }

        /**
         * Same host name, and that name is one of this server's; when {@code Host} names a port, the
         * origin's effective port must be it too.
         */
        boolean sameHostAs(String hostHeader, ServerNames serverNames) {
            if (hostHeader == null || hostHeader.isBlank()) {
                return false;
            }
            String value = hostHeader.trim().toLowerCase(Locale.ROOT);
            String name = value;
            int port = -1;
            int colon = value.lastIndexOf(':');
            if (colon > value.lastIndexOf(']')) {
                name = value.substring(0, colon);
                try {
                    port = Integer.parseInt(value.substring(colon + 1));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            name = stripBrackets(name);
            return name.equals(host) && serverNames.contains(name) && (port == -1 || port == this.port);
        }

        private static int defaultPort(String scheme) {
            return switch (scheme) {
                case "https", "wss" -> 443;
                case "http", "ws" -> 80;
                default -> -1;
            };
        }

        private static String stripBrackets(String host) {
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }
    }
}
