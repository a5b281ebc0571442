package dev.switchboard.security;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The origin allow-list: which browser pages may open a WebSocket here. Browsers always send
 * {@code Origin} on a WebSocket handshake and pages cannot forge it, so this is the guard against
 * cross-site WebSocket hijacking. A request without {@code Origin} is not from a browser and passes.
 * <p>
 * Entries: {@code same-host} (the origin's host is the request's {@code Host}), {@code localhost}
 * (localhost, 127.0.0.0/8 or [::1], any scheme and port), a full origin such as
 * {@code https://app.example.com} or {@code http://example.com:8080}, a bare host name such as
 * {@code example.com} (any scheme and port), or {@code *} (anything: never on a network).
 * The default, when nothing is configured, is {@code same-host,localhost}.
 */
public final class OriginPolicy {

    public static final List<String> DEFAULT = List.of("same-host", "localhost");

    private final List<String> entries;

    private OriginPolicy(List<String> entries) {
        this.entries = entries.stream().map(e -> e.trim().toLowerCase(Locale.ROOT)).toList();
    }

    /** The policy for the configured entries; empty means {@link #DEFAULT}. */
    public static OriginPolicy of(List<String> configured) {
        return new OriginPolicy(configured.isEmpty() ? DEFAULT : configured);
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
                case "same-host" -> from.sameHostAs(hostHeader);
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
            return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
                    || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
        }

        /** Same host name; when {@code Host} names a port, the origin's effective port must be it too. */
        boolean sameHostAs(String hostHeader) {
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
            return stripBrackets(name).equals(host) && (port == -1 || port == this.port);
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
