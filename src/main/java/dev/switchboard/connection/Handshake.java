package dev.switchboard.connection;

import dev.switchboard.security.GuardedConfigurator;
import dev.switchboard.security.Identity;
import jakarta.websocket.Session;

import java.util.List;
import java.util.Map;

/**
 * What a connection's handshake established, as the features need it — never the container's
 * {@link Session} itself.
 *
 * @param path          the endpoint path's parameters ({@code room}, {@code target})
 * @param query         the query's parameters ({@code ?since=…})
 * @param identity      who the handshake authenticated; {@link Identity#ANONYMOUS} with security off, null if nobody (STOMP)
 * @param remoteAddress the client's IP address: the peer's, or behind a trusted proxy the one it named; "" when unknown
 * @param userAgent     the handshake's {@code User-Agent}, or ""
 * @param forwarded     whether it came through a proxy from off this machine, or claimed to (X-Forwarded-For,
 *                      Forwarded, X-Real-IP) with nothing believed: either way not this machine's loopback
 * @param notes         what a {@link GuardedConfigurator.HandshakeObserver} noted about it
 */
public record Handshake(Map<String, String> path, Map<String, List<String>> query, Identity identity,
                        String remoteAddress, String userAgent, boolean forwarded, Map<String, Object> notes) {

    static Handshake of(Session session) {
        Map<String, Object> properties = session.getUserProperties() == null ? Map.of() : session.getUserProperties();
        return new Handshake(orEmpty(session.getPathParameters()), orEmpty(session.getRequestParameterMap()),
                (Identity) properties.get(GuardedConfigurator.IDENTITY),
                text(properties.get(GuardedConfigurator.REMOTE_ADDRESS)), text(properties.get(GuardedConfigurator.USER_AGENT)),
                Boolean.TRUE.equals(properties.get(GuardedConfigurator.FORWARDED)), Map.copyOf(properties));
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : Map.copyOf(map);
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
