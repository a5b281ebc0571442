package dev.switchboard.console;

import java.util.List;

/** What a console connection sends: one record per message type of the contract. */
public sealed interface ConsoleCommand {

    enum Role { TARGET, OPERATOR }

    /** {@code {"type":"attach","role":"target"|"operator","label":…}} — must come first. */
    record Attach(Role role, String label) implements ConsoleCommand {
    }

    /** Operator: {@code {"type":"eval","id":…,"code":…,"to":[…]}}; {@code to} null means every target. */
    record Eval(String id, String code, List<String> to) implements ConsoleCommand {
    }

    /** Target: {@code {"type":"result","id":…,"value":…}} or {@code …"error":…}. */
    record Result(String id, String value, String error) implements ConsoleCommand {
    }
}
