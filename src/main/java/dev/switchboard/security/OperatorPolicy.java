package dev.switchboard.security;

import java.util.Locale;
import java.util.Set;

/**
 * Who may drive the remote console. With security on: users with the {@code operator} role.
 * With it off: only connections from this machine's loopback address — and not ones a proxy says
 * it forwarded, since behind a local reverse proxy everyone would look like loopback.
 */
public final class OperatorPolicy {

    public static final String OPERATOR_ROLE = "operator";

    private OperatorPolicy() {
    }

    public static boolean mayOperate(boolean securityOn, Set<String> roles, String remoteAddress, boolean forwarded) {
        if (securityOn) {
            return roles.contains(OPERATOR_ROLE);
        }
        return !forwarded && isLoopback(remoteAddress);
    }

    /** 127.0.0.0/8, ::1 and IPv4-mapped loopback, from the literal the container reports (no DNS). */
    public static boolean isLoopback(String address) {
        if (address == null) {
            return false;
        }
        String a = address.trim().toLowerCase(Locale.ROOT);
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        if (zone >= 0) {
            a = a.substring(0, zone);
        }
        if (a.startsWith("::ffff:")) {
            a = a.substring(7);
        }
        if (a.equals("::1") || a.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = a.split("\\.");
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String part : parts) {
            try {
                int n = Integer.parseInt(part);
                if (n < 0 || n > 255 || part.isEmpty() || part.length() > 3) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }
}
