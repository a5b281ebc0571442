package dev.switchboard.security;

import java.security.Principal;
import java.util.Set;

/** Who is asking: a user name and roles, wherever they came from (our users, the container's realm). */
public record Identity(String name, Set<String> roles) implements Principal {

    /** Security off: everyone is this. */
    public static final Identity ANONYMOUS = new Identity("anonymous", Set.of());

    public Identity {
        roles = Set.copyOf(roles);
    }

    @Override
    public String getName() {
        return name;
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
