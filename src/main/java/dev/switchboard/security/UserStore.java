package dev.switchboard.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.switchboard.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The configured users: {@code name:{scheme}secret:role|role}, from {@code security.users}
 * (comma-separated) or {@code security.users-file} (one a line, {@code #} comments). Schemes:
 * {@code {bcrypt}} (salted, slow: what to use) and {@code {noop}} (plain text, for tests and
 * demos only; logged as a warning).
 */
public final class UserStore {

    private static final Logger LOG = Logger.getLogger(UserStore.class.getName());
    /** Checked against when the user is unknown, so the answer takes as long either way. */
    private static final byte[] DUMMY_HASH = BCrypt.withDefaults().hash(10, "not a password".toCharArray());

    private record User(String name, String scheme, byte[] secret, Set<String> roles) {
    }

    private final Map<String, User> users;

    private UserStore(Map<String, User> users) {
        this.users = users;
    }

    public static UserStore empty() {
        return new UserStore(Map.of());
    }

    public static UserStore parse(List<String> entries, String file) {
        Map<String, User> users = new LinkedHashMap<>();
        for (String entry : entries) {
            add(users, entry, "security.users");
        }
        if (file != null) {
            try {
                for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.trim().startsWith("#")) {
                        add(users, line.trim(), "security.users-file " + file);
                    }
                }
            } catch (IOException e) {
                throw new ConfigException("Invalid configuration 'security.users-file' = '" + file + "': cannot read it ("
                        + e.getMessage() + ")");
            }
        }
        return new UserStore(users);
    }

    private static void add(Map<String, User> users, String entry, String source) {
        int first = entry.indexOf(':');
        int last = entry.lastIndexOf(':');
        String problem = null;
        if (first <= 0 || last <= first) {
            problem = "expected name:{bcrypt}hash:role|role";
        } else {
            String name = entry.substring(0, first);
            String secret = entry.substring(first + 1, last);
            Set<String> roles = new LinkedHashSet<>(Arrays.asList(entry.substring(last + 1).split("\\|")));
            roles.removeIf(String::isBlank);
            if (secret.startsWith("{bcrypt}") && secret.length() > 8) {
                users.put(name, new User(name, "bcrypt", secret.substring(8).getBytes(StandardCharsets.UTF_8), roles));
            } else if (secret.startsWith("{noop}")) {
                LOG.warning("User '" + name + "' has a {noop} (plain text) password: for tests and demos only");
                users.put(name, new User(name, "noop", secret.substring(6).getBytes(StandardCharsets.UTF_8), roles));
            } else {
                problem = "the password must start with {bcrypt} or {noop}";
            }
        }
        if (problem != null) {
            String shown = first > 0 ? entry.substring(0, first) + ":…" : "…";
            throw new ConfigException("Invalid configuration (" + source + ") user entry '" + shown + "': " + problem);
        }
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    /** The user, when the password is right. */
    public Optional<Identity> verify(String name, String password) {
        User user = name == null ? null : users.get(name);
        char[] attempt = password == null ? new char[0] : password.toCharArray();
        if (user == null) {
            BCrypt.verifyer().verify(attempt, DUMMY_HASH);
            return Optional.empty();
        }
        boolean ok = user.scheme().equals("bcrypt")
                ? BCrypt.verifyer().verify(attempt, user.secret()).verified
                : MessageDigest.isEqual(user.secret(), new String(attempt).getBytes(StandardCharsets.UTF_8));
        return ok ? Optional.of(new Identity(user.name(), user.roles())) : Optional.empty();
    }

    /** A bcrypt entry's hash for a password (the README's way to make one). */
    public static String bcrypt(String password) {
        return "{bcrypt}" + BCrypt.withDefaults().hashToString(12, password.toCharArray());
    }
}
