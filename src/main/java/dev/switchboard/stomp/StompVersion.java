package dev.switchboard.stomp;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The STOMP versions Switchboard speaks, newest last. */
public enum StompVersion {
    V1_0("1.0", "v10.stomp"), V1_1("1.1", "v11.stomp"), V1_2("1.2", "v12.stomp");

    private final String header;
    private final String subprotocol;

    StompVersion(String header, String subprotocol) {
        this.header = header;
        this.subprotocol = subprotocol;
    }

    public String header() {
        return header;
    }

    public String subprotocol() {
        return subprotocol;
    }

    public static final String SUPPORTED = "1.0,1.1,1.2";

    /** The WebSocket subprotocols offered, most preferred first. */
    public static List<String> subprotocols() {
        return List.of(V1_2.subprotocol, V1_1.subprotocol, V1_0.subprotocol);
    }

    /**
     * The version to speak given a CONNECT's {@code accept-version} (absent means 1.0): the highest
     * both sides support, or empty when there is none.
     */
    public static Optional<StompVersion> negotiate(String acceptVersion) {
        if (acceptVersion == null || acceptVersion.isBlank()) {
            return Optional.of(V1_0);
        }
        List<String> offered = Arrays.stream(acceptVersion.split(",")).map(String::trim).toList();
        for (int i = values().length - 1; i >= 0; i--) {
            if (offered.contains(values()[i].header)) {
                return Optional.of(values()[i]);
            }
        }
        return Optional.empty();
    }

    /** Header escaping (\\n, \\c, \\\\ and, from 1.2, \\r) exists from 1.1 on. */
    boolean escapes() {
        return this != V1_0;
    }
}
