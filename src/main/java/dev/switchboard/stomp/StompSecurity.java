package dev.switchboard.stomp;

/** Who may connect, and what each user may do with which destination. */
public interface StompSecurity {

    /** The user a CONNECT logs in as; a refusal is a {@link StompException.Kind#POLICY} error. */
    String login(String login, String passcode) throws StompException;

    boolean maySend(String user, String destination);

    boolean maySubscribe(String user, String destination);

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
