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
 * <p>
 * bcrypt reads at most {@value #MAX_PASSWORD_BYTES} bytes of a password: a longer password never
 * matches (it is refused like a wrong one, in the same time) and {@link #bcrypt} will not hash one,
 * so two passwords that share their first 72 bytes can never both open an account.
 */
public final class UserStore {

    private static final Logger LOG = Logger.getLogger(UserStore.class.getName());
    /** bcrypt's input limit (the 2a variant counts its NUL terminator in 73). */
    public static final int MAX_PASSWORD_BYTES = 72;
    /** What {@link #bcrypt} makes, and the dummy's cost when no bcrypt user is configured. */
    static final int DEFAULT_COST = 12;

    private record User(String name, String scheme, byte[] secret, Set<String> roles) {
    }

    private final Map<String, User> users;
    /**
     * Checked against when a password cannot match (unknown user, over-long password), so that the
     * answer takes as long as for a real user: same cost as the configured hashes, made lazily.
     */
    private volatile byte[] dummyHash;

    private UserStore(Map<String, User> users) {
        this.users = users;
    }

    /** The bcrypt cost of the dummy check: the highest cost among the configured hashes. */
    int dummyCost() {
        return users.values().stream().filter(u -> u.scheme().equals("bcrypt")).mapToInt(UserStore::cost)
                .max().orElse(DEFAULT_COST);
    }

    private static int cost(User user) {
        // "$2a$12$…": the two digits after the second '$'
        String hash = new String(user.secret(), StandardCharsets.US_ASCII);
        try {
            return Integer.parseInt(hash.substring(4, 6));
        } catch (RuntimeException e) {
            return DEFAULT_COST;
        }
    }

    private byte[] dummyHash() {
        byte[] hash = dummyHash;
        if (hash == null) {
            hash = BCrypt.withDefaults().hash(dummyCost(), "not a password".toCharArray());
            dummyHash = hash;
        }
        return hash;
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

    public int size() {
        return users.size();
    }

    /** The user, when the password is right. */
    public Optional<Identity> verify(String name, String password) {
        User user = name == null ? null : users.get(name);
        char[] attempt = password == null ? new char[0] : password.toCharArray();
        boolean tooLong = password != null && password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES;
        if (user == null || tooLong) {
            BCrypt.verifyer().verify(new char[0], dummyHash()); // the same work, whatever the reason
            return Optional.empty();
        }
        boolean ok = user.scheme().equals("bcrypt")
                ? BCrypt.verifyer().verify(attempt, user.secret()).verified
                : MessageDigest.isEqual(user.secret(), new String(attempt).getBytes(StandardCharsets.UTF_8));
        return ok ? Optional.of(new Identity(user.name(), user.roles())) : Optional.empty();
    }

    /** A bcrypt entry's hash for a password (the README's way to make one). */
    public static String bcrypt(String password) {
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException("a password is at most " + MAX_PASSWORD_BYTES
                    + " bytes in UTF-8 (bcrypt ignores the rest)");
        }
        return "{bcrypt}" + BCrypt.withDefaults().hashToString(DEFAULT_COST, password.toCharArray());
    }
}
