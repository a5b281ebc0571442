package dev.switchboard.stomp;

/** Who may connect, and what each user may do with which destination. */
public interface StompSecurity {

    /** The user a CONNECT logs in as; a refusal is a {@link StompException.Kind#POLICY} error. */
    String login(String login, String passcode) throws StompException;

    boolean maySend(String user, String destination);

    boolean maySubscribe(String user, String destination);

    /**
     * Switchboard's policy at CONNECT: with security off, anyone; on, the handshake's user (a
     * CONNECT naming someone else is refused) or else {@code login}/{@code passcode} against the
     * configured users. A presented passcode is always checked, throttled like every login
     * ({@code address}: the client's, for that). Destinations are checked against
     * {@code stomp.send}/{@code stomp.subscribe} rules.
     */
    static StompSecurity of(dev.switchboard.security.SecurityPolicy policy, dev.switchboard.security.Identity handshakeUser,
                            String address) {
        if (!policy.isOn()) {
            return open();
        }
        java.util.Map<String, dev.switchboard.security.Identity> loggedIn = new java.util.concurrent.ConcurrentHashMap<>();
        return new StompSecurity() {
            @Override
            public String login(String login, String passcode) throws StompException {
                dev.switchboard.security.Identity identity;
                if (handshakeUser != null && login != null && !login.isBlank() && !login.equals(handshakeUser.name())) {
                    throw new StompException(StompException.Kind.POLICY,
                            "CONNECT names a different user than the connection authenticated");
                }
                if (handshakeUser != null && passcode == null) {
                    identity = handshakeUser;
                } else {
                    String user = handshakeUser != null ? handshakeUser.name() : login;
                    dev.switchboard.security.SecurityPolicy.Credentials checked = policy.login(user, passcode, address);
                    identity = switch (checked.outcome()) {
                        case VALID -> checked.identity();
                        case THROTTLED -> throw new StompException(StompException.Kind.POLICY,
                                "too many failed logins: retry after " + checked.retryAfterSeconds() + " s");
                        case BUSY -> throw new StompException(StompException.Kind.POLICY,
                                "password checks busy: retry after " + checked.retryAfterSeconds() + " s");
                        default -> throw new StompException(StompException.Kind.POLICY, "login failed");
                    };
                }
                loggedIn.put(identity.name(), identity);
                return identity.name();
            }

            @Override
            public boolean maySend(String user, String destination) {
                return policy.allows(loggedIn.get(user), "stomp.send", destination);
            }

            @Override
            public boolean maySubscribe(String user, String destination) {
                return policy.allows(loggedIn.get(user), "stomp.subscribe", destination);
            }
        };
    }

    /** Security off: everybody is anonymous and may do anything. */
    static StompSecurity open() {
        return new StompSecurity() {
            @Override
            public String login(String login, String passcode) {
                return login == null || login.isBlank() ? "anonymous" : login;
            }

            @Override
            public boolean maySend(String user, String destination) {
                return true;
            }

            @Override
            public boolean maySubscribe(String user, String destination) {
                return true;
            }
        };
    }
}
