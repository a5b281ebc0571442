package dev.switchboard.security;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.switchboard.config.ConfigException;
import dev.switchboard.security.scram.ScramHash;
import dev.switchboard.security.scram.ScramSecret;
import dev.switchboard.security.scram.ScramUsers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configured users: {@code name:{scheme}secret:role|role}, from {@code security.users}
 * (comma-separated) or {@code security.users-file} (one a line, {@code #} comments). Schemes:
 * {@code {bcrypt}} (salted, slow), {@code {scram-sha-256}} and {@code {scram-sha-1}} (a SCRAM secret,
 * {@link ScramSecret}: what XMPP's SCRAM mechanisms need) and {@code {noop}} (plain text, for tests
 * and demos only; logged as a warning). One entry may hold several of the hashed kinds, one after
 * the other — {@code {bcrypt}…{scram-sha-256}…{scram-sha-1}…}, what {@code HashPassword} prints —
 * and then serves every mechanism any of them serves:
 * <ul>
 * <li>a password check (HTTP login, STOMP, XMPP PLAIN): any entry; a combined one is checked
 * against its bcrypt hash when it has one, else its SCRAM-SHA-256, else its SCRAM-SHA-1 secret;</li>
 * <li>XMPP SCRAM-SHA-256 / SCRAM-SHA-1: an entry holding that secret, or a {@code {noop}} one
 * (its secrets are derived when first asked for); a bcrypt-only entry cannot serve SCRAM.</li>
 * </ul>
 * Every password check does the work of one check of each kind the store holds (bcrypt at the
 * highest configured cost, PBKDF2 at the highest configured iteration count), the real one for the
 * user's kind and a dummy for the others, and an unknown user gets only dummies: the time an answer
 * takes tells neither whether the user exists nor what kind of entry they have.
 * <p>
 * bcrypt reads at most {@value #MAX_PASSWORD_BYTES} bytes of a password: a longer password never
 * matches (it is refused like a wrong one, in the same time) and {@link #bcrypt} will not hash one,
 * so two passwords that share their first 72 bytes can never both open an account.
 */
public final class UserStore implements ScramUsers {

    private static final Logger LOG = Logger.getLogger(UserStore.class.getName());
    /** bcrypt's input limit (the 2a variant counts its NUL terminator in 73). */
    public static final int MAX_PASSWORD_BYTES = 72;
    /** What {@link #bcrypt} makes, and the dummy's cost when no bcrypt user is configured. */
    static final int DEFAULT_COST = 12;

    /** One user line; {@code bcrypt} and {@code noop} may be null, {@code scram} empty. */
    private record User(String name, byte[] bcrypt, byte[] noop, Map<ScramHash, ScramSecret> scram,
                        Set<String> roles) {
        /** The SCRAM secret a password check derives against, when that is the check (no bcrypt). */
        ScramSecret plainScram() {
            if (bcrypt != null || noop != null) {
                return null;
            }
            return scram.containsKey(ScramHash.SHA_256) ? scram.get(ScramHash.SHA_256) : scram.get(ScramHash.SHA_1);
        }
    }

    private static final Pattern PART = Pattern.compile("\\{([a-z0-9-]+)}([^{]*)");

    private final Map<String, User> users;
    private final byte[] decoyKey;
    private final boolean bcryptWork;
    private final int scramWorkIterations; // 0: no password check derives SCRAM keys
    private final Map<ScramHash, Integer> decoyIterations = new EnumMap<>(ScramHash.class);
    /** The SCRAM secrets of {noop} users, derived on first use. */
    private final Map<String, ScramSecret> derivedForNoop = new ConcurrentHashMap<>();
    /**
     * Checked against when a password cannot match (unknown user, over-long password), so that the
     * answer takes as long as for a real user: same cost as the configured hashes, made lazily.
     */
    private volatile byte[] dummyHash;

    private UserStore(Map<String, User> users) {
        this.users = users;
        scramWorkIterations = users.values().stream().map(User::plainScram).filter(java.util.Objects::nonNull)
                .mapToInt(ScramSecret::iterations).max().orElse(0);
        bcryptWork = scramWorkIterations == 0 || users.values().stream().anyMatch(u -> u.bcrypt() != null);
        for (ScramHash hash : ScramHash.values()) {
            decoyIterations.put(hash, mostCommonIterations(hash));
        }
        decoyKey = decoyKey(users);
    }

    /** What the real SCRAM entries for a hash use most (ties: the highest), so that a decoy looks like one. */
    private int mostCommonIterations(ScramHash hash) {
        Map<Integer, Integer> counts = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        users.values().stream().map(u -> u.scram().get(hash)).filter(java.util.Objects::nonNull)
                .forEach(s -> counts.merge(s.iterations(), 1, Integer::sum));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(ScramSecret.DEFAULT_ITERATIONS);
    }

    /** A digest of every configured secret: unknown to a client, and stable while the users are. */
    private static byte[] decoyKey(Map<String, User> users) {
        if (users.isEmpty()) {
            return new SecureRandom().generateSeed(32);
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("switchboard SCRAM decoys".getBytes(StandardCharsets.UTF_8));
            for (User user : users.values()) {
                digest.update(user.name().getBytes(StandardCharsets.UTF_8));
                for (byte[] secret : new byte[][] {user.bcrypt(), user.noop()}) {
                    if (secret != null) {
                        digest.update(secret);
                    }
                }
                user.scram().values().forEach(s -> {
                    digest.update(s.storedKey());
                    digest.update(s.serverKey());
                });
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The bcrypt cost of the dummy check: the highest cost among the configured hashes. */
    int dummyCost() {
        return users.values().stream().filter(u -> u.bcrypt() != null).mapToInt(UserStore::cost)
                .max().orElse(DEFAULT_COST);
    }

    private static int cost(User user) {
        // "$2a$12$…": the two digits after the second '$'
        String hash = new String(user.bcrypt(), StandardCharsets.US_ASCII);
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
            if (secret.startsWith("{noop}")) {
                LOG.warning("User '" + name + "' has a {noop} (plain text) password: for tests and demos only");
                users.put(name, new User(name, null, secret.substring(6).getBytes(StandardCharsets.UTF_8), Map.of(),
                        roles));
            } else {
                try {
                    users.put(name, hashed(name, secret, roles));
                } catch (IllegalArgumentException e) {
                    problem = e.getMessage();
                }
            }
        }
        if (problem != null) {
            String shown = first > 0 ? entry.substring(0, first) + ":…" : "…";
            throw new ConfigException("Invalid configuration (" + source + ") user entry '" + shown + "': " + problem);
        }
    }

    /** An entry of hashed kinds: {@code {bcrypt}…}, {@code {scram-sha-256}…}, {@code {scram-sha-1}…}, each at most once. */
    private static User hashed(String name, String secret, Set<String> roles) {
        String kinds = "the password must start with {bcrypt}, {scram-sha-256}, {scram-sha-1} or {noop}";
        Matcher part = PART.matcher(secret);
        byte[] bcrypt = null;
        Map<ScramHash, ScramSecret> scram = new EnumMap<>(ScramHash.class);
        int at = 0;
        while (at < secret.length()) {
            if (!part.find(at) || part.start() != at) {
                throw new IllegalArgumentException(kinds);
            }
            String scheme = part.group(1);
            String value = part.group(2);
            Optional<ScramHash> hash = ScramHash.byScheme(scheme);
            if (scheme.equals("bcrypt") && bcrypt == null && !value.isEmpty()) {
                bcrypt = value.getBytes(StandardCharsets.UTF_8);
            } else if (hash.isPresent() && !scram.containsKey(hash.get())) {
                try {
                    scram.put(hash.get(), ScramSecret.parse(hash.get(), value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("{" + scheme + "}: " + e.getMessage());
                }
            } else if (scheme.equals("bcrypt") || hash.isPresent()) {
                throw new IllegalArgumentException("{" + scheme + "} is empty or given twice");
            } else {
                throw new IllegalArgumentException(kinds);
            }
            at = part.end();
        }
        if (bcrypt == null && scram.isEmpty()) {
            throw new IllegalArgumentException(kinds);
        }
        return new User(name, bcrypt, null, Map.copyOf(scram), roles);
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    public int size() {
        return users.size();
    }

    /** Every user's name, sorted. */
    public java.util.List<String> names() {
        return users.keySet().stream().sorted().toList();
    }

    /** The user, when the password is right. */
    public Optional<Identity> verify(String name, String password) {
        User user = name == null ? null : users.get(name);
        String attempt = password == null ? "" : password;
        boolean tooLong = attempt.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES;
        boolean ok = false;
        boolean didBcrypt = false;
        boolean didScram = false;
        if (user != null && user.bcrypt() != null) {
            didBcrypt = true;
            // bcrypt reads 72 bytes: a longer password is refused, never truncated to a match
            ok = !tooLong & BCrypt.verifyer().verify(tooLong ? new char[0] : attempt.toCharArray(), user.bcrypt()).verified;
        } else if (user != null && user.plainScram() != null) {
            didScram = true;
            ok = user.plainScram().matches(attempt);
        } else if (user != null) {
            ok = MessageDigest.isEqual(user.noop(), attempt.getBytes(StandardCharsets.UTF_8));
        }
        // the same work, whatever the user and the kind of their entry
        if (bcryptWork && !didBcrypt) {
            BCrypt.verifyer().verify(new char[0], dummyHash());
        }
        if (scramWorkIterations > 0 && !didScram) {
            ScramSecret.derive(ScramHash.SHA_256, "not a password", new byte[ScramSecret.SALT_BYTES], scramWorkIterations);
        }
        return ok ? Optional.of(new Identity(user.name(), user.roles())) : Optional.empty();
    }

    @Override
    public Optional<ScramUser> scramUser(String name, ScramHash hash) {
        User user = name == null ? null : users.get(name);
        if (user == null) {
            return Optional.empty();
        }
        ScramSecret secret = user.scram().get(hash);
        if (secret == null && user.noop() != null) {
            secret = derivedForNoop.computeIfAbsent(hash.scheme() + "\0" + name, k -> ScramSecret.derive(hash,
                    new String(user.noop(), StandardCharsets.UTF_8), noopSalt(name), decoyIterations.get(hash)));
        }
        return secret == null ? Optional.empty()
                : Optional.of(new ScramUser(new Identity(user.name(), user.roles()), secret));
    }

    /** A {noop} user's SCRAM salt: fixed per name, so that a client's cached SaltedPassword stays right. */
    private byte[] noopSalt(String name) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return Arrays.copyOf(digest.digest(("noop salt\0" + name).getBytes(StandardCharsets.UTF_8)),
                    ScramSecret.SALT_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public boolean isKnown(String name) {
        return name != null && users.containsKey(name);
    }

    @Override
    public byte[] decoyKey() {
        return decoyKey.clone();
    }

    @Override
    public int decoyIterations(ScramHash hash) {
        return decoyIterations.get(hash);
    }

    /**
     * The entry {@code HashPassword} prints: a bcrypt hash and both SCRAM secrets, so that one
     * line serves every mechanism (password checks, SCRAM-SHA-256, SCRAM-SHA-1).
     */
    public static String allMechanisms(String password) {
        SecureRandom random = new SecureRandom();
        return bcrypt(password) + ScramSecret.create(ScramHash.SHA_256, password, random).entry()
                + ScramSecret.create(ScramHash.SHA_1, password, random).entry();
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
