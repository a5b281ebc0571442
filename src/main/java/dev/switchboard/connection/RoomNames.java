package dev.switchboard.connection;

import java.util.regex.Pattern;

/** The contract's room names: 1–64 characters of {@code [A-Za-z0-9._-]}; anything else is closed with 1008. */
public final class RoomNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static final String BAD_ROOM_NAME = "bad room name";

    private RoomNames() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }
}
