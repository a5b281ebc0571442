package dev.switchboard.transport.deflate;

import jakarta.websocket.Extension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One client offer of permessage-deflate (RFC 7692 §7.1), judged: accepted with the parameters the
 * server answers, or declined so the next offer can be tried. Pure: no Tyrus, no I/O.
 *
 * <p>{@link java.util.zip.Deflater} has no window-bits setting: it always compresses with a 32 KiB
 * window (15 bits). So an offer that limits the server's window ({@code server_max_window_bits} below
 * 15) cannot be met and is declined, never accepted and then ignored. {@link java.util.zip.Inflater}
 * takes any window up to 15 bits, so whatever the client compresses with is fine.
 */
public final class DeflateOffer {

    public static final String NAME = "permessage-deflate";
    static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";
    /** The only window Java's Deflater produces. */
    static final int DEFLATER_WINDOW_BITS = 15;

    /**
     * What the server agreed to for one connection.
     *
     * @param serverNoContextTakeover the server resets its compressor after every message
     * @param clientNoContextTakeover the client resets its compressor after every message (the
     *                                server may then reset its decompressor too)
     * @param response                the parameters of the server's answer, in order
     */
    public record Agreement(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                            List<Extension.Parameter> response) {

        /** The answer as it reads in {@code Sec-WebSocket-Extensions}. */
        public String header() {
            StringBuilder header = new StringBuilder(NAME);
            for (Extension.Parameter parameter : response) {
                header.append("; ").append(parameter.getName());
                if (parameter.getValue() != null) {
                    header.append('=').append(parameter.getValue());
                }
            }
            return header.toString();
        }
    }

    private DeflateOffer() {
    }

    /**
     * The server's answer to one offer's parameters, or empty when the offer must be declined
     * (§7: an unknown parameter, a duplicate, an invalid value, or one the server cannot meet).
     */
    public static Optional<Agreement> accept(List<Extension.Parameter> offer) {
        return accept(offer, false);
    }

    /**
     * {@link #accept(List)}, and with {@code serverNoContextTakeover} the server answers
     * {@code server_no_context_takeover} even to an offer without it (§7.1.1.1 allows it): no
     * compressor is held per connection and receivers share one compressed frame per broadcast, at
     * the price of each message compressing alone (chat JSON: about 1.25× smaller instead of 5×).
     */
    public static Optional<Agreement> accept(List<Extension.Parameter> offer, boolean serverNoContextTakeover) {
        boolean serverNoTakeover = serverNoContextTakeover;
        boolean clientNoTakeover = false;
        Set<String> seen = new HashSet<>();
        for (Extension.Parameter parameter : offer == null ? List.<Extension.Parameter>of() : offer) {
            String name = parameter.getName();
            String value = unquoted(parameter.getValue());
            if (name == null || !seen.add(name)) {
                return Optional.empty(); // §7: "multiple extension parameters with the same name"
            }
            switch (name) {
                case SERVER_NO_CONTEXT_TAKEOVER -> {
                    if (value != null) {
                        return Optional.empty(); // §7.1.1.1: no value
                    }
                    serverNoTakeover = true;
                }
                case CLIENT_NO_CONTEXT_TAKEOVER -> {
                    if (value != null) {
                        return Optional.empty(); // §7.1.1.2: no value
                    }
                    clientNoTakeover = true;
                }
                case SERVER_MAX_WINDOW_BITS -> {
                    Integer bits = windowBits(value);
                    if (bits == null || bits < DEFLATER_WINDOW_BITS) {
                        return Optional.empty(); // invalid, or a window Java's Deflater cannot be held to
                    }
                }
                case CLIENT_MAX_WINDOW_BITS -> {
                    // §7.1.2.2: the client can limit its window; by leaving it out of the answer the server
                    // says it inflates with windows up to 15 bits, which Java's Inflater does
                    if (value != null && windowBits(value) == null) {
                        return Optional.empty();
                    }
                }
                default -> {
                    return Optional.empty(); // §7: a parameter not defined for an offer
                }
            }
        }
        List<Extension.Parameter> response = new ArrayList<>(2);
        if (serverNoTakeover) {
            response.add(parameter(SERVER_NO_CONTEXT_TAKEOVER)); // §7.1.1.1: the server MUST answer it
        }
        if (clientNoTakeover) {
            response.add(parameter(CLIENT_NO_CONTEXT_TAKEOVER)); // lets the server reset its inflater per message
        }
        return Optional.of(new Agreement(serverNoTakeover, clientNoTakeover, List.copyOf(response)));
    }

    /** §7.1.2.1: a decimal integer 8 to 15, no leading zeros; null when the value is not one. */
    private static Integer windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : null;
    }

    /** §7: a value may come as a quoted string. */
    private static String unquoted(String value) {
        if (value != null && value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value == null || value.isEmpty() ? null : value;
    }

    static Extension.Parameter parameter(String name) {
        return new Extension.Parameter() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public String getValue() {
                return null;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
