package dev.switchboard.standalone;

import dev.switchboard.security.UserStore;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Prints a password entry for {@code security.users} that serves every mechanism:
 * {@code {bcrypt}…{scram-sha-256}…{scram-sha-1}…} (the bcrypt hash for password checks — HTTP login,
 * STOMP, XMPP PLAIN — and the two SCRAM secrets for XMPP's SCRAM-SHA-256 and SCRAM-SHA-1; see
 * {@link UserStore}):
 * {@code java -cp switchboard-standalone.jar dev.switchboard.standalone.HashPassword} (asks for the
 * password, or reads one line from standard input).
 */
public final class HashPassword {

    private HashPassword() {
    }

    public static void main(String[] args) throws IOException {
        Console console = System.console();
        String password;
        if (console != null) {
            char[] typed = console.readPassword("Password: ");
            password = typed == null ? "" : new String(typed);
        } else {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (password == null || password.isEmpty()) {
            System.err.println("no password given");
            System.exit(2);
        }
        try {
            System.out.println(UserStore.allMechanisms(password));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
