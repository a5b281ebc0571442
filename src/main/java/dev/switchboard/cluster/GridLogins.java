package dev.switchboard.cluster;

import com.hazelcast.map.IMap;
import dev.switchboard.security.Identity;
import dev.switchboard.security.LoginSessions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Login sessions in the grid, so a {@code login} cookie is valid on every node: token → user and
 * roles, expiring with the session; and per user the tokens in order, so the oldest go beyond the
 * per-user cap (changed under the map's own key lock, which is not the CP subsystem).
 */
public final class GridLogins implements LoginSessions.SharedTable {

    static final String SESSIONS = "switchboard.logins";
    static final String BY_USER = "switchboard.logins.by-user";

    private final IMap<String, String> sessions;
    private final IMap<String, String> byUser;

    public GridLogins(Grid grid) {
        this.sessions = grid.instance().getMap(SESSIONS);
        this.byUser = grid.instance().getMap(BY_USER);
    }

    @Override
    public void open(String token, Identity identity, Duration ttl, int maxPerUser) {
        long seconds = Math.max(1, ttl.toSeconds());
        sessions.set(token, identity.name() + "\n" + String.join(",", identity.roles()), seconds, TimeUnit.SECONDS);
        byUser.lock(identity.name());
        try {
            String held = byUser.get(identity.name());
            List<String> tokens = new ArrayList<>(held == null ? List.of() : Arrays.asList(held.split(" ")));
            tokens.removeIf(t -> !sessions.containsKey(t)); // expired or logged out
            tokens.add(token);
            while (tokens.size() > maxPerUser) {
                sessions.delete(tokens.remove(0));
            }
            byUser.set(identity.name(), String.join(" ", tokens), seconds, TimeUnit.SECONDS);
        } finally {
            byUser.unlock(identity.name());
        }
    }

    @Override
    public Optional<Identity> find(String token) {
        String entry = sessions.get(token);
        if (entry == null) {
            return Optional.empty();
        }
        int newline = entry.indexOf('\n');
        String roles = entry.substring(newline + 1);
        return Optional.of(new Identity(entry.substring(0, newline),
                roles.isEmpty() ? Set.of() : Set.of(roles.split(","))));
    }

    @Override
    public void close(String token) {
        sessions.delete(token);
    }
}
