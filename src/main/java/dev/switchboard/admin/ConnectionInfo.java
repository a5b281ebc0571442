package dev.switchboard.admin;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;

import java.io.StringReader;
import java.util.Locale;

/**
 * One open WebSocket as {@code admin/connections} lists it. Crosses the grid as its JSON text
 * (only strings and bytes go into the grid).
 *
 * @param since      when it opened, epoch millis
 * @param user       who the handshake authenticated, "anonymous" with security off, "" when nobody (STOMP before CONNECT)
 * @param queuedBytes bytes handed to the container and not yet written: what the peer owes reading
 */
public record ConnectionInfo(String id, String node, String endpoint, String path, String user, String remote,
                             String origin, String subprotocol, long since, long messagesIn, long messagesOut,
                             long bytesIn, long bytesOut, long queuedBytes) {

    private static final JsonProvider JSON = JsonProvider.provider();

    public JsonObject toJson() {
        return JSON.createObjectBuilder().add("id", id).add("node", node).add("endpoint", endpoint).add("path", path)
                .add("user", user).add("remote", remote).add("origin", origin).add("subprotocol", subprotocol)
                .add("since", since).add("messagesIn", messagesIn).add("messagesOut", messagesOut)
                .add("bytesIn", bytesIn).add("bytesOut", bytesOut).add("queuedBytes", queuedBytes).build();
    }

    public static ConnectionInfo fromJson(String text) {
        JsonObject o = JSON.createReader(new StringReader(text)).readObject();
        return new ConnectionInfo(o.getString("id"), o.getString("node"), o.getString("endpoint"), o.getString("path"),
                o.getString("user"), o.getString("remote"), o.getString("origin"), o.getString("subprotocol"),
                o.getJsonNumber("since").longValue(), o.getJsonNumber("messagesIn").longValue(),
                o.getJsonNumber("messagesOut").longValue(), o.getJsonNumber("bytesIn").longValue(),
                o.getJsonNumber("bytesOut").longValue(), o.getJsonNumber("queuedBytes").longValue());
    }

    /**
     * Whether {@code filter} (lower case, already trimmed; "" matches all) occurs in any of its
     * words: id, node, endpoint, path, user, remote address, origin, subprotocol.
     */
    public boolean matches(String filter) {
        if (filter.isEmpty()) {
            return true;
        }
        for (String field : new String[] {id, node, endpoint, path, user, remote, origin, subprotocol}) {
            if (field.toLowerCase(Locale.ROOT).contains(filter)) {
                return true;
            }
        }
        return false;
    }
}
