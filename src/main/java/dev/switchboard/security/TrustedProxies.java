package dev.switchboard.security;

import dev.switchboard.config.ConfigException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The reverse proxies whose forwarding headers are believed ({@code trusted-proxies}: addresses or
 * CIDRs, default none). Only a request whose peer is one of them has its {@code Forwarded}
 * (RFC 7239) or {@code X-Forwarded-For} / {@code X-Forwarded-Proto} read; the chain is walked
 * from the nearest hop outwards and the first address that is not a trusted proxy is the client
 * (RFC 7239 §7.1: everything left of it may be the client's own invention). {@code X-Real-IP} is
 * never believed (nothing says who set it), but still marks a request as forwarded.
 * <p>
 * Matching is on the parsed address bytes with the JDK's literal parsing (no DNS, no library:
 * a prefix compare over {@link InetAddress#getAddress()} is all CIDR matching is); IPv4-mapped
 * IPv6 addresses ({@code ::ffff:10.0.0.1}) count as their IPv4 address.
 */
public final class TrustedProxies {

    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * The proxies of {@code trusted-proxies}: each entry an address ({@code 127.0.0.1}, {@code ::1})
     * or a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}).
     *
     * @throws ConfigException naming the first entry that is neither (startup stops)
     */
    public static TrustedProxies of(List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            Block block = Block.parse(entry);
            if (block == null) {
                throw new ConfigException("Invalid configuration 'trusted-proxies' entry '" + entry
                        + "': expected an IP address or CIDR block (127.0.0.1, 10.0.0.0/8, ::1).");
            }
            blocks.add(block);
        }
        return new TrustedProxies(blocks);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether {@code address} (a literal as a container reports it) is one of the trusted proxies. */
    public boolean trusts(String address) {
        byte[] bytes = bytes(address);
        return bytes != null && blocks.stream().anyMatch(block -> block.contains(bytes));
    }

    /**
     * Who a request is from, as far as this server may believe.
     *
     * @param peer    the address of the TCP peer (the nearest proxy behind one), or null when unknown
     * @param headers a request header's first value by name (case-insensitive), or null
     */
    public Client resolve(String peer, Function<String, String> headers) {
        String peerAddress = peer == null ? "" : strip(peer);
        String forwarded = headers.apply("Forwarded");
        String forwardedFor = headers.apply("X-Forwarded-For");
        boolean claimsForwarding = forwarded != null || forwardedFor != null || headers.apply("X-Real-IP") != null;
        if (!claimsForwarding) {
            return new Client(peerAddress, null, null, false);
        }
        if (!trusts(peerAddress)) {
            return new Client(peerAddress, null, null, true); // said by whoever connected: not believed
        }
        List<Hop> hops = forwarded != null ? ForwardedHeader.hops(forwarded)
                : XForwarded.hops(forwardedFor, headers.apply("X-Forwarded-Proto"));
        if (hops == null || hops.isEmpty()) {
            return new Client(peerAddress, null, null, true); // a trusted proxy said nothing usable (only X-Real-IP, or garbage)
        }
        boolean local = OperatorPolicy.isLoopback(peerAddress);
        for (int i = hops.size() - 1; i >= 0; i--) {
            Hop hop = hops.get(i);
            if (hop.address() == null) {
                // "unknown" or an obfuscated node (RFC 7239 §6): the client cannot be named past it
                return new Client(peerAddress, hop.proto(), hop.host(), true);
            }
            local &= OperatorPolicy.isLoopback(hop.address());
            if (i == 0 || !trusts(hop.address())) {
                // not from this machine unless every hop, the peer included, was its loopback
                return new Client(hop.address(), hop.proto(), hop.host(), !local);
            }
        }
        throw new AssertionError("unreachable");
    }

    /**
     * The request's client as believed.
     *
     * @param address   the client's address: the first untrusted hop, or the peer when nothing is believed
     * @param proto     the scheme the client used ({@code http}, {@code https}) as a trusted proxy said, or null
     * @param host      the {@code Host} the client asked for as a trusted proxy said ({@code Forwarded: host=}), or null
     * @param forwarded whether the request came through a proxy from off this machine, or claims to have
     *                  with nothing believed — either way, not this machine's loopback
     */
    public record Client(String address, String proto, String host, boolean forwarded) {
        /** Whether the client reached the proxy over TLS, as a trusted proxy said. */
        public boolean secure() {
            return "https".equals(proto) || "wss".equals(proto);
        }
    }

    /** One element of a forwarding chain: its address (null if unknown), proto and host as said. */
    record Hop(String address, String proto, String host) {
    }

    /** {@code X-Forwarded-For: client, proxy1} with {@code X-Forwarded-Proto} by position (or one value for all). */
    private static final class XForwarded {
        static List<Hop> hops(String forwardedFor, String forwardedProto) {
            if (forwardedFor == null) {
                return null;
            }
            String[] addresses = forwardedFor.split(",");
            String[] protos = forwardedProto == null ? new String[0] : forwardedProto.split(",");
            List<Hop> hops = new ArrayList<>();
            for (int i = 0; i < addresses.length; i++) {
                String proto = protos.length == addresses.length ? protos[i]
                        : protos.length > 0 ? protos[protos.length - 1] : null; // the nearest proxy's word
                hops.add(new Hop(address(addresses[i]), proto(proto), null));
            }
            return hops;
        }
    }

    /** RFC 7239: {@code Forwarded: for=192.0.2.60;proto=https;host=example.com, for="[2001:db8::1]:4711"}. */
    private static final class ForwardedHeader {
        static List<Hop> hops(String value) {
            List<Hop> hops = new ArrayList<>();
            for (String element : splitOutsideQuotes(value, ',')) {
                String address = null;
                String proto = null;
                String host = null;
                boolean hasFor = false;
                for (String pair : splitOutsideQuotes(element, ';')) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                    String v = unquote(pair.substring(eq + 1).trim());
                    switch (name) {
                        case "for" -> {
                            hasFor = true;
                            address = address(v);
                        }
                        case "proto" -> proto = proto(v);
                        case "host" -> host = v.isEmpty() ? null : v;
                        default -> { }
                    }
                }
                if (!hasFor) {
                    return null; // an element without for= tells nothing about who sent it
                }
                hops.add(new Hop(address, proto, host));
            }
            return hops;
        }

        private static List<String> splitOutsideQuotes(String value, char separator) {
            List<String> parts = new ArrayList<>();
            StringBuilder part = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == separator && !quoted) {
                    parts.add(part.toString().trim());
                    part.setLength(0);
                } else {
                    part.append(c);
                }
            }
            parts.add(part.toString().trim());
            return parts;
        }

        private static String unquote(String v) {
            return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
        }
    }

    /**
     * A node's address without port or brackets, if it is an IP literal; null otherwise
     * ({@code unknown}, {@code _hidden}, a name).
     */
    static String address(String node) {
        String n = node.trim();
        if (n.startsWith("[")) {
            int close = n.indexOf(']');
            n = close < 0 ? n : n.substring(1, close);
        } else if (n.indexOf(':') >= 0 && n.indexOf(':') == n.lastIndexOf(':')) {
            n = n.substring(0, n.indexOf(':')); // IPv4 with a port
        }
        return bytes(n) == null ? null : strip(n);
    }

    private static String proto(String value) {
        if (value == null) {
            return null;
        }
        String p = value.trim().toLowerCase(Locale.ROOT);
        return p.matches("[a-z][a-z0-9+.-]*") ? p : null;
    }

    private static String strip(String address) {
        String a = address.trim();
        return a.startsWith("[") && a.endsWith("]") ? a.substring(1, a.length() - 1) : a;
    }

    /** The address bytes of a literal (IPv4-mapped IPv6 as its 4 IPv4 bytes), or null; never DNS. */
    static byte[] bytes(String literal) {
        if (literal == null) {
            return null;
        }
        String a = strip(literal);
        int zone = a.indexOf('%');
        if (zone >= 0) {
            a = a.substring(0, zone);
        }
        InetAddress address = ServerNames.literal(a);
        if (address == null) {
            return null;
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && isV4Mapped(bytes)) {
            return java.util.Arrays.copyOfRange(bytes, 12, 16);
        }
        return bytes;
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** An address block: the network's bytes and how many leading bits must match. */
    private record Block(byte[] network, int prefix) {
        static Block parse(String entry) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            String base = slash < 0 ? e : e.substring(0, slash);
            byte[] network = bytes(base);
            if (network == null) {
                return null;
            }
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = e.substring(slash + 1);
                if (!length.matches("\\d{1,3}")) {
                    return null;
                }
                prefix = Integer.parseInt(length);
                if (base.toLowerCase(Locale.ROOT).contains("::ffff:") && network.length == 4) {
                    prefix -= 96; // ::ffff:10.0.0.0/104 is 10.0.0.0/8
                }
                if (prefix < 0 || prefix > bits) {
                    return null;
                }
            }
            return new Block(network, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
